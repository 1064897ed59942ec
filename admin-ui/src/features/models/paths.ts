/** The page of a model. Relay ids are base64 ("=" is fine in a path; "/" and "+" are escaped). */
export function modelPath(id: string): string {
  return `/models/${encodeURIComponent(id).replace(/%3D/g, '=')}`;
}
