/** A mistake on the command line, found before any request is made. */
export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
}
