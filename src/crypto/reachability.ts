// Whether a person can read what the bot encrypts for them: only if at least one
// of their devices published end-to-end encryption keys. A client without
// encryption in an encrypted room would otherwise get answers it cannot open.
import type { MatrixClient } from 'matrix-bot-sdk';
import { z } from 'zod';

const KeysQueryAnswer = z.object({ device_keys: z.record(z.string(), z.record(z.string(), z.unknown())).default({}) }).loose();

export async function hasEncryptionKeys(client: MatrixClient, userId: string): Promise<boolean> {
  const answer = KeysQueryAnswer.parse(await client.doRequest('POST', '/_matrix/client/v3/keys/query', null, { device_keys: { [userId]: [] } }));
  return Object.keys(answer.device_keys[userId] ?? {}).length > 0;
}
