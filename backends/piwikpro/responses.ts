import { z } from "zod";

/**
 * The shapes of the answers this backend reads, checked before anything is taken from them. Only
 * what the backend uses is required: the documents mark almost nothing as required, and Piwik PRO
 * adds attributes over time, so unknown members are kept and missing optional ones are allowed.
 */
const Attributes = z.record(z.string(), z.unknown());

const Resource = z.looseObject({ id: z.string().min(1), type: z.string().optional(), attributes: Attributes.optional() });

export const ListDocument = z.looseObject({
  data: z.array(Resource),
  meta: z.looseObject({ total: z.number().int().nonnegative() }).optional(),
  links: z.looseObject({ next: z.string().nullable().optional() }).optional(),
});
export type ListDocument = z.infer<typeof ListDocument>;

export const SingleDocument = z.looseObject({ data: Resource });

export const TokenAnswer = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string().optional(),
});

export const AppListAttributes = z.looseObject({ name: z.string() });

export const AppAttributes = z.looseObject({
  name: z.string(),
  urls: z.array(z.string()).optional(),
  appType: z.string().optional(),
  timezone: z.string().optional(),
  currency: z.string().optional(),
  excludeUnknownUrls: z.boolean().optional(),
  eCommerceTracking: z.boolean().optional(),
  excludedUrlParams: z.array(z.string()).optional(),
  gdpr: z.boolean().optional(),
  gdprDataAnonymization: z.boolean().optional(),
  gdprDataAnonymizationMode: z.string().optional(),
});
export type AppAttributes = z.infer<typeof AppAttributes>;

export const TrackerAttributes = z.looseObject({
  anonymize_visitor_ip_level: z.number().int().optional(),
  fingerprint_based_on_anonymized_ip: z.boolean().optional(),
  anonymize_visitor_geolocation_level: z.string().optional(),
  set_ip_tracking: z.boolean().optional(),
});
export type TrackerAttributes = z.infer<typeof TrackerAttributes>;

export const TagListAttributes = z.looseObject({
  name: z.string(),
  template: z.string(),
  consent_type: z.string(),
  is_active: z.boolean(),
  is_published: z.boolean().optional(),
});
export type TagListAttributes = z.infer<typeof TagListAttributes>;

export const TagAttributes = z.looseObject({
  ...TagListAttributes.shape,
  template_options: z.record(z.string(), z.unknown()).optional(),
});
export type TagAttributes = z.infer<typeof TagAttributes>;

export const UserAttributes = z.looseObject({ email: z.string().min(1), role: z.string().optional() });

export const PermissionAttributes = z.looseObject({
  email: z.string().optional(),
  permission: z.string().optional(),
  permissions: z.union([z.array(z.string()), z.string()]).optional(),
  group_permissions: z.looseObject({ permission: z.string().optional(), group_names: z.array(z.string()).optional() }).optional(),
});
export type PermissionAttributes = z.infer<typeof PermissionAttributes>;

export const PublishAnswer = z.looseObject({
  data: z.looseObject({
    id: z.string().optional(),
    relationships: z.looseObject({ operation: z.looseObject({ data: z.looseObject({ id: z.string().min(1) }) }) }),
  }),
});

export const OperationAnswer = z.looseObject({
  data: z.looseObject({
    id: z.string(),
    attributes: z.looseObject({ state: z.string(), summary: z.unknown().optional(), operation_type: z.string().optional() }),
  }),
});

export const DraftAnswer = z.looseObject({ data: z.looseObject({ id: z.string(), attributes: z.looseObject({ has_changes: z.boolean().optional() }) }) });

/** Parses, or says in one line what does not fit (the first few problems, with their paths). */
export function checkShape<S extends z.ZodType>(schema: S, value: unknown): { ok: true; value: z.infer<S> } | { ok: false; problem: string } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join(".") : "(the document)"}: ${i.message}`);
  return { ok: false, problem: problems.join("; ") + (result.error.issues.length > 3 ? `; and ${result.error.issues.length - 3} more` : "") };
}
