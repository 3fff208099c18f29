/** The reading tools: `search_<type>s` (SCIM filter, paged) and `get_<type>`. */
import { configSection, z } from '@scimgw/config';
import { URN } from '@scimgw/core';
import { filterPaths, hintExamples, renderHints } from './describe.js';
import type { ServedResourceType } from './discovery.js';
import { ok, scimFailure } from './outcome.js';
import { accessOf, type BuildContext, hints, itemPath, type ToolDefinition } from './tool.js';

/** Longest filter accepted (the core bounds its parse as well). */
const MAX_FILTER = 4096;
const attributeList = (doc: string) => z.array(z.string().min(1).max(256)).max(100).optional().describe(doc);

/** A filter that works on this type, for the description: its first unique string attribute. */
function exampleFilter(ctx: BuildContext): string {
  const core = ctx.discovery.schemas.get(ctx.rt.schema.toLowerCase());
  const attrs = core?.attributes ?? [];
  const pick =
    attrs.find((a) => a.uniqueness !== 'none' && a.type === 'string' && !a.multiValued) ??
    attrs.find((a) => a.name === 'displayName') ??
    attrs.find((a) => a.type === 'string' && !a.multiValued && a.returned !== 'never');
  if (!pick) return 'id eq "…"';
  const example = hintExamples(pick['x-agent-schema'])?.[0];
  return `${pick.name} eq ${JSON.stringify(typeof example === 'string' ? example : 'value')}`;
}

/** Attribute paths of the type and its extensions, for filter and projection documentation. */
function allPaths(rt: ServedResourceType, ctx: BuildContext): string[] {
  const core = ctx.discovery.schemas.get(rt.schema.toLowerCase());
  const out = ['id', 'externalId', 'meta.created', 'meta.lastModified', ...filterPaths(core?.attributes ?? [])];
  for (const e of rt.schemaExtensions) {
    const s = ctx.discovery.schemas.get(e.schema.toLowerCase());
    if (s) out.push(...filterPaths(s.attributes, e.schema));
  }
  return [...new Set(out)];
}

/** Schema-level text for a type: its description and the `x-agent-schema` of its core schema. */
export function typeNotes(ctx: BuildContext): string {
  const core = ctx.discovery.schemas.get(ctx.rt.schema.toLowerCase());
  const parts: string[] = [];
  if (ctx.rt.description) parts.push(ctx.rt.description.trim().replace(/\.?$/, '.'));
  const h = renderHints(core?.['x-agent-schema']);
  if (h) parts.push(`Hints: ${h}`);
  return parts.join(' ');
}

/** `search_users`: one page of a SCIM search. */
export function searchTool(ctx: BuildContext): ToolDefinition {
  const { rt, discovery } = ctx;
  const max = discovery.maxResults;
  const paths = allPaths(rt, ctx);
  const shape: Record<string, z.ZodType> = {
    filter: z
      .string()
      .max(MAX_FILTER)
      .optional()
      .describe(
        `SCIM filter (RFC 7644 §3.4.2.2): operators eq ne co sw ew pr gt ge lt le, and/or/not, parentheses, value paths like emails[type eq "work"]. Example: ${exampleFilter(ctx)}. Leave it out to list all.`,
      ),
    startIndex: z
      .int()
      .min(1)
      .optional()
      .describe('1-based index of the first result; default 1. Use nextStartIndex of the previous page'),
    count: z
      .int()
      .min(0)
      .max(max ?? Number.MAX_SAFE_INTEGER)
      .optional()
      .describe(
        `Results per page; default ${Math.min(ctx.pageSize, max ?? ctx.pageSize)}${max ? `, at most ${max}` : ''}. 0 returns only totalResults`,
      ),
    attributes: attributeList('Return only these attributes (plus id), e.g. ["userName","emails"]'),
    excludedAttributes: attributeList('Leave these attributes out, e.g. ["members"] for big groups'),
  };
  if (discovery.sort) {
    shape.sortBy = z.string().min(1).max(256).optional().describe('Attribute to sort by, e.g. meta.created');
    shape.sortOrder = z.enum(['ascending', 'descending']).optional().describe('Default ascending');
  }
  const input = configSection(z.strictObject(shape));
  const path = `${rt.endpoint}/.search`;
  const access = accessOf(rt, 'search', 'POST');
  return {
    name: `search_${ctx.plural}`,
    description: [
      `Search ${rt.name} resources with a SCIM filter, one page at a time.`,
      typeNotes(ctx),
      `Attributes: ${paths.join(', ')}.`,
      'Answers totalResults, startIndex, itemsPerPage and Resources, and nextStartIndex when more pages follow.',
    ]
      .filter(Boolean)
      .join(' '),
    resourceType: rt.id,
    access,
    destructive: false,
    input,
    annotations: hints(`Search ${rt.name} resources`, access, false, true),
    async run(args, tool) {
      const count = (args.count as number | undefined) ?? Math.min(tool.pageSize, max ?? tool.pageSize);
      const body: Record<string, unknown> = { schemas: [URN.SearchRequest], count };
      for (const k of ['filter', 'startIndex', 'attributes', 'excludedAttributes', 'sortBy', 'sortOrder']) {
        if (args[k] !== undefined) body[k] = args[k];
      }
      const res = await tool.scim({ method: 'POST', path, body });
      const failed = scimFailure(res);
      if (failed) return failed;
      const list = res.body as { totalResults?: number; startIndex?: number; itemsPerPage?: number; Resources?: unknown[] };
      const start = list.startIndex ?? 1;
      const got = list.Resources?.length ?? 0;
      const total = list.totalResults ?? got;
      const next = got > 0 && start + got - 1 < total ? start + got : undefined;
      return ok({
        totalResults: total,
        startIndex: start,
        itemsPerPage: list.itemsPerPage ?? got,
        ...(next === undefined ? {} : { nextStartIndex: next }),
        Resources: list.Resources ?? [],
      });
    },
  };
}

/** `get_user`: one resource by id. */
export function getTool(ctx: BuildContext): ToolDefinition {
  const { rt } = ctx;
  const input = configSection(
    z.strictObject({
      id: z.string().min(1).max(1024).describe(`The ${rt.name}'s id (as search_${ctx.plural} returns it)`),
      attributes: attributeList('Return only these attributes (plus id)'),
      excludedAttributes: attributeList('Leave these attributes out, e.g. ["members"]'),
    }),
  );
  const access = accessOf(rt, 'item', 'GET');
  return {
    name: `get_${ctx.singular}`,
    description: [`Read one ${rt.name} by id.`, typeNotes(ctx)].filter(Boolean).join(' '),
    resourceType: rt.id,
    access,
    destructive: false,
    input,
    annotations: hints(`Get a ${rt.name}`, access, false, true),
    async run(args, tool) {
      const query = new URLSearchParams();
      const attributes = args.attributes as string[] | undefined;
      const excluded = args.excludedAttributes as string[] | undefined;
      if (attributes?.length) query.set('attributes', attributes.join(','));
      if (excluded?.length) query.set('excludedAttributes', excluded.join(','));
      const res = await tool.scim({ method: 'GET', path: itemPath(rt, args.id as string, query) });
      return scimFailure(res) ?? ok(res.body as Record<string, unknown>);
    },
  };
}
