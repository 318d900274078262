// Downloading an upload as a person's client does: through authenticated media with their token
// where the server has it (current Synapse and Tuwunel serve new uploads nowhere else), else the
// unauthenticated path (Synapse 1.67 answers the first with M_UNRECOGNIZED).

/** The server's answer for the upload `mxc`, as the holder of `token` asks for it. */
export async function downloadAsClient(baseUrl: string, mxc: string, token: string): Promise<Response> {
  const [server, mediaId] = mxc.slice('mxc://'.length).split('/');
  const authenticated = await fetch(`${baseUrl}/_matrix/client/v1/media/download/${server}/${mediaId}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!(await isUnrecognized(authenticated))) return authenticated;
  return fetch(`${baseUrl}/_matrix/media/v3/download/${server}/${mediaId}`);
}

/** Whether the server does not know the endpoint at all (a 404 with M_UNRECOGNIZED), rather than the upload. */
async function isUnrecognized(response: Response): Promise<boolean> {
  if (response.status !== 404) return false;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => null);
  return typeof body === 'object' && body !== null && (body as { errcode?: unknown }).errcode === 'M_UNRECOGNIZED';
}
