// Who is asking. Built by the authentication layer from a session cookie or an
// admin-API token; a deactivated user never becomes a viewer.
export interface Viewer {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
}
