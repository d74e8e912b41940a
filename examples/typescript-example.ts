import { App } from "../constructs/cdk";
import { ExemptStack, MatomoInstance, MatomoSite } from "../constructs";

/**
 * The example used when there is no exempt.yaml: the same fleet as the committed exempt.yaml,
 * declared with constructs. A site needs only a name and its URLs to be compliant: every default
 * is the CNIL-compliant value.
 */
export function buildTypeScriptExample(app: App, env: NodeJS.ProcessEnv = process.env): ExemptStack {
  const stack = new ExemptStack(app, "exempt");
  const stats = new MatomoInstance(stack, "stats", {
    url: env.MATOMO_URL ?? "http://127.0.0.1:8080",
    auth: { tokenEnv: "MATOMO_TOKEN", passwordEnv: "MATOMO_PASSWORD" },
  });
  new MatomoSite(stats, "www", { name: "Portail", urls: ["https://www.example.gouv.fr"], excludedQueryParameters: ["email", "token"] });
  new MatomoSite(stats, "demarches", { name: "Démarches en ligne", urls: ["https://demarches.example.gouv.fr"], tagManager: { containers: { main: {} } } });
  new MatomoSite(stats, "boutique", {
    name: "Boutique",
    urls: ["https://boutique.example.gouv.fr"],
    mode: "consent",
    ecommerce: true,
  });
  return stack;
}
