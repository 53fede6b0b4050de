/**
 * session/: connects a session to the pg_catalog relations and lookups: the context the
 * catalog views show (user, database, search_path, settings, the executor's function list,
 * created extensions) and the PgCatalogLookup behind regclass/regproc text I/O
 * (FormatContext.catalog) and the executor's catalog functions (DataAccess.pgCatalog()).
 */
import { PgCatalogLookup, systemRelationList, type Catalog, type CatalogFunction, type SystemViewContext } from '../catalog/index.ts';
import { allFunctions, aggregateNamed } from '../executor/index.ts';
import { parseSearchPath } from '../planner/index.ts';

/** Meta key holding the JSON list of extensions created with CREATE EXTENSION. */
export const EXTENSIONS_META_KEY = 'extensions';

const AGGREGATE_NAMES = ['count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'string_agg', 'array_agg', 'json_agg', 'jsonb_agg'];

let functionList: CatalogFunction[] | null = null;

/** The executor's functions (operators excluded) and aggregates as pg_proc lists them; built once. */
function catalogFunctions(): CatalogFunction[] {
  if (functionList) return functionList;
  const list: CatalogFunction[] = allFunctions()
    .filter((f) => /^[a-z_][a-z0-9_]*$/.test(f.name))
    .map((f) => ({
      name: f.name, argTypes: f.argTypes, returnType: f.returnType, returnsSet: f.returnsSet === true, strict: f.strict,
      volatility: f.volatility, kind: 'f' as const,
    }));
  for (const name of AGGREGATE_NAMES) {
    if (aggregateNamed(name)) list.push({ name, argTypes: [], returnType: 0, returnsSet: false, strict: false, volatility: 'immutable', kind: 'a' });
  }
  functionList = list;
  return list;
}

let relationList: SystemViewContext['systemRelations'] | null = null;

/** Names of the extensions recorded in the catalog's Meta (plpgsql is implicit). */
export function createdExtensions(catalog: Catalog): string[] {
  const raw = catalog.getMeta(EXTENSIONS_META_KEY);
  return raw === undefined ? [] : (JSON.parse(raw) as string[]);
}

/** Records CREATE EXTENSION name; false when it was already there. */
export function recordExtension(catalog: Catalog, name: string): boolean {
  const list = createdExtensions(catalog);
  if (list.includes(name)) return false;
  catalog.setMeta(EXTENSIONS_META_KEY, JSON.stringify([...list, name]));
  return true;
}

/** Removes an extension record (DROP EXTENSION); false when it was not there. */
export function forgetExtension(catalog: Catalog, name: string): boolean {
  const list = createdExtensions(catalog);
  if (!list.includes(name)) return false;
  catalog.setMeta(EXTENSIONS_META_KEY, JSON.stringify(list.filter((x) => x !== name)));
  return true;
}

/** What a session supplies: its identity and a way to read its current settings. */
export interface CatalogSessionInfo {
  readonly user: string;
  readonly database: string;
  readonly backendPid: number;
  /** session_user, when it is not the bootstrap superuser's name. */
  sessionRole?(): { oid: number; name: string };
  setting(name: string): string;
  allSettings(): readonly { name: string; setting: string; description: string }[];
  /** Committed live rows of a table (pg_stat_user_tables.n_live_tup). */
  liveRows?(tableId: number): number | undefined;
}

export class SessionCatalogAccess {
  readonly lookup: PgCatalogLookup;

  constructor(private readonly catalog: Catalog, private readonly session: CatalogSessionInfo) {
    this.lookup = new PgCatalogLookup(catalog, () => this.viewContext());
  }

  /** The context the pg_catalog relations show for this session now. */
  viewContext(): SystemViewContext {
    relationList ??= systemRelationList();
    const s = this.session;
    return {
      user: s.user,
      sessionRole: s.sessionRole?.(),
      database: s.database,
      searchPath: parseSearchPath(s.setting('search_path'), s.user),
      backendPid: s.backendPid,
      settings: s.allSettings(),
      functions: catalogFunctions(),
      extensions: createdExtensions(this.catalog),
      systemRelations: relationList,
      model: () => this.lookup.m,
      liveRows: s.liveRows ? (id) => s.liveRows!(id) : undefined,
    };
  }
}
