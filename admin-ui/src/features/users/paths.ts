/** The page of a user (admins only). Relay ids are base64 ("=" is fine in a path; "/" and "+" are escaped). */
export function userPath(id: string): string {
  return `/users/${encodeURIComponent(id).replace(/%3D/g, '=')}`;
}
