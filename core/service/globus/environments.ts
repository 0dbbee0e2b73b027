/** Base URLs of the Globus Compute web service and Globus Auth per environment (protocol.md §1). */

export type GlobusEnvironment = "production" | "preview" | "sandbox" | "test" | "integration" | "staging";

export function computeBaseUrl(environment: GlobusEnvironment = "production"): string {
  switch (environment) {
    case "production":
      return "https://compute.api.globus.org";
    case "preview":
      return "https://compute.api.preview.globus.org";
    default:
      return `https://compute.api.${environment}.globuscs.info`;
  }
}

export function authBaseUrl(environment: GlobusEnvironment = "production"): string {
  return environment === "production" ? "https://auth.globus.org" : `https://auth.${environment}.globuscs.info`;
}
