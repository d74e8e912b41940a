/**
 * Timezones and currencies SitesManager accepts, with the labels it returns as `timezone_name`
 * and `currency_name`. Validity comes from the ICU data Node ships (the IANA zone names PHP also
 * uses, and ISO 4217 codes); the labels follow Matomo's pattern ("Germany - Berlin" when a country
 * has several zones, "France" when it has one, "UTC+2" for offsets), from a table of the
 * countries Exempt's users are in. Zones outside the table keep their IANA name as label (README).
 */

// Country -> its zones, as PHP lists them. A country with one zone is labelled by its name alone.
const COUNTRY_ZONES: Record<string, string[]> = {
  FR: ["Europe/Paris"], DE: ["Europe/Berlin", "Europe/Busingen"], BE: ["Europe/Brussels"], NL: ["Europe/Amsterdam"],
  LU: ["Europe/Luxembourg"], CH: ["Europe/Zurich"], AT: ["Europe/Vienna"], IT: ["Europe/Rome"], MC: ["Europe/Monaco"],
  ES: ["Africa/Ceuta", "Atlantic/Canary", "Europe/Madrid"], PT: ["Atlantic/Azores", "Atlantic/Madeira", "Europe/Lisbon"],
  GB: ["Europe/London"], IE: ["Europe/Dublin"], DK: ["Europe/Copenhagen"], SE: ["Europe/Stockholm"], NO: ["Europe/Oslo"],
  FI: ["Europe/Helsinki"], PL: ["Europe/Warsaw"], CZ: ["Europe/Prague"], SK: ["Europe/Bratislava"], HU: ["Europe/Budapest"],
  RO: ["Europe/Bucharest"], BG: ["Europe/Sofia"], GR: ["Europe/Athens"], HR: ["Europe/Zagreb"], SI: ["Europe/Ljubljana"],
  EE: ["Europe/Tallinn"], LV: ["Europe/Riga"], LT: ["Europe/Vilnius"], MT: ["Europe/Malta"], CY: ["Asia/Famagusta", "Asia/Nicosia"],
  IS: ["Atlantic/Reykjavik"], AD: ["Europe/Andorra"], LI: ["Europe/Vaduz"], SM: ["Europe/San_Marino"], VA: ["Europe/Vatican"],
  GP: ["America/Guadeloupe"], MQ: ["America/Martinique"], GF: ["America/Cayenne"], RE: ["Indian/Reunion"], YT: ["Indian/Mayotte"],
  NC: ["Pacific/Noumea"], PF: ["Pacific/Gambier", "Pacific/Marquesas", "Pacific/Tahiti"], PM: ["America/Miquelon"],
  WF: ["Pacific/Wallis"], BL: ["America/St_Barthelemy"], MF: ["America/Marigot"], MA: ["Africa/Casablanca"], DZ: ["Africa/Algiers"],
  TN: ["Africa/Tunis"], SN: ["Africa/Dakar"], CI: ["Africa/Abidjan"], CA: ["America/Toronto", "America/Vancouver", "America/Montreal", "America/Halifax", "America/Winnipeg", "America/Edmonton"],
  US: ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix", "America/Anchorage", "Pacific/Honolulu"],
  JP: ["Asia/Tokyo"], IN: ["Asia/Kolkata"], AU: ["Australia/Sydney", "Australia/Melbourne", "Australia/Perth", "Australia/Brisbane"],
};

const ZONE_COUNTRY = new Map<string, string>();
for (const [country, zones] of Object.entries(COUNTRY_ZONES)) for (const z of zones) ZONE_COUNTRY.set(z, country);

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });
const currencyNames = new Intl.DisplayNames(["en"], { type: "currency" });

// PHP's identifier list leaves out the backward-compatible aliases and the Etc/ zones.
const EXCLUDED_PREFIXES = ["Etc/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/", "SystemV/"];

function isIanaZone(tz: string): boolean {
  if (!/^[A-Z][A-Za-z_-]+(\/[A-Z][A-Za-z0-9_+-]+)+$/.test(tz)) return false;
  if (EXCLUDED_PREFIXES.some((p) => tz.startsWith(p))) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Matomo's manual offsets: UTC, UTC+2, UTC-3.5, UTC+5.75 ... between -12 and +14, in quarter hours. */
function isUtcOffset(tz: string): boolean {
  if (tz === "UTC") return true;
  const m = /^UTC([+-])(\d{1,2})(\.(25|5|75))?$/.exec(tz);
  if (!m) return false;
  const h = parseInt(m[2], 10);
  return m[1] === "+" ? h <= 14 : h <= 12;
}

export function isValidTimezone(tz: string): boolean {
  return isUtcOffset(tz) || isIanaZone(tz);
}

export function timezoneName(tz: string): string {
  if (isUtcOffset(tz)) return tz;
  const country = ZONE_COUNTRY.get(tz);
  if (!country) return tz;
  const countryName = regionNames.of(country) ?? country;
  if (COUNTRY_ZONES[country].length === 1) return countryName;
  return `${countryName} - ${tz.slice(tz.lastIndexOf("/") + 1).replace(/_/g, " ")}`;
}

// ISO 4217 codes Matomo lists: the ICU set without the funds, metals and testing codes,
// but with the CFA and CFP francs used in France's overseas territories and West Africa.
const NON_CURRENCIES = new Set(["XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX", "XCG"]);
const CURRENCIES = new Set(Intl.supportedValuesOf("currency").filter((c) => !NON_CURRENCIES.has(c)));

export function isValidCurrency(code: string): boolean {
  return CURRENCIES.has(code);
}

export function currencyName(code: string): string {
  return currencyNames.of(code) ?? code;
}

export function allCurrencies(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of [...CURRENCIES].sort()) out[c] = currencyName(c);
  return out;
}
