// An error that stops the bot before it runs, with a message that tells the operator what to
// do; main.ts prints it alone as "Cannot start: ..." and exits. Thrown where start-up finds the
// cause: the data folder's lock (store/), the encryption store (crypto/), the tokens (startup/).
export class StartupError extends Error {
  override name = 'StartupError';
}
