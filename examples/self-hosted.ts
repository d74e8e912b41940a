import { App } from "../constructs/cdk";
import { ExemptStack, MatomoInstance, MatomoSite } from "../constructs";
import { MatomoServerStack } from "../constructs/matomo-server";

/**
 * A self-hosted Matomo and the sites it measures, as two stacks:
 * - `matomo-server` (Docker provider): MariaDB and Matomo, hardened from the first start;
 * - `exempt` (Terraform built-ins only): the sites, reconciled through Matomo's API.
 * The instance takes the server's public URL as a plain string, so `exempt` never depends on the
 * Docker stack: `cdktf deploy matomo-server`, install Matomo, then `cdktf deploy exempt`.
 *
 * Synthesise it on its own with `npx cdktf synth --app "npx tsx examples/self-hosted.ts"`.
 */
export function buildSelfHostedExample(app: App, env: NodeJS.ProcessEnv = process.env): { server: MatomoServerStack; sites: ExemptStack } {
  const server = new MatomoServerStack(app, "matomo-server", {
    publicUrl: env.MATOMO_PUBLIC_URL ?? "https://stats.example.gouv.fr",
    // Paths on the Docker host, created by the operator (mode 0400); the passwords never enter the code.
    secrets: {
      files: {
        databasePassword: "/etc/exempt/matomo-server/db-password",
        databaseRootPassword: "/etc/exempt/matomo-server/db-root-password",
      },
    },
    // Everything else keeps its default: pinned images, 127.0.0.1:8080 behind a TLS reverse proxy,
    // 1 GB per container, and every privacy setting at its CNIL-compliant value.
  });

  const sites = new ExemptStack(app, "exempt");
  const stats = new MatomoInstance(sites, "stats", {
    // A plain string known at synth: no cross-stack reference, so `exempt` plans without the Docker provider.
    url: server.publicUrl,
    auth: { tokenEnv: "MATOMO_TOKEN", passwordEnv: "MATOMO_PASSWORD" },
  });
  new MatomoSite(stats, "www", { name: "Portail", urls: ["https://www.example.gouv.fr"], excludedQueryParameters: ["email", "token"] });
  new MatomoSite(stats, "demarches", { name: "Démarches en ligne", urls: ["https://demarches.example.gouv.fr"] });
  return { server, sites };
}

if (require.main === module) {
  const app = new App();
  buildSelfHostedExample(app);
  app.synth();
}
