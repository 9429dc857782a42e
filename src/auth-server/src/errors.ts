/** The one error a bad configuration raises: its message names the variable and the reason. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
