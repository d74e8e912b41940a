import type { EmulatorRequest, EmulatorResponse } from "../common/http";
import type { Query } from "./query";
import type { PiwikProState } from "./state";

/** What a handler gets for one request. `now` is read once, so one request sees one instant. */
export interface Context {
  readonly req: EmulatorRequest;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Query;
  readonly state: PiwikProState;
  readonly now: number;
  /** `http://host:port` as the client addressed the emulator, for Tag Manager's pagination links. */
  readonly baseUrl: string;
}

export type Handler = (ctx: Context) => EmulatorResponse;
