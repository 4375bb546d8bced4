import type { UserError } from '@youxianggou/sdk';
import type { ErrorSchema } from '@rjsf/utils';
import type { Block, SectionView } from '../../sections/types';

// The page document as the editor holds it (README "Pages and the document"), and the pure steps the editor takes
// on it: adding, moving and removing sections, giving new blocks their ids, and placing the server's errors.

export type Section = Omit<SectionView, 'data' | 'available' | 'reason'>;

export interface PageDocument {
  schemaVersion: 1;
  title: string;
  navigationBar?: { title?: string; background?: string; textStyle?: 'BLACK' | 'WHITE' };
  theme?: Record<string, unknown>;
  sections: Section[];
}

export interface ComponentInfo {
  type: string;
  name: string;
  available: boolean;
  maxPerPage: number;
  blockTypes: readonly string[];
  default: unknown;
}

export const PAGE_NAMES: Record<string, string> = { HOME: '首页', USER_CENTER: '个人中心', PRODUCT_DETAIL: '商品详情', CATEGORY: '分类页', LANDING: '活动页' };

export function emptyDocument(kind: string): PageDocument {
  return { schemaVersion: 1, title: PAGE_NAMES[kind] ?? '页面', sections: [] };
}

function freshId(prefix: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n++) if (!used.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

/** Whether one more section of the component fits on the page (its maxPerPage). */
export function canAdd(doc: PageDocument, component: ComponentInfo): boolean {
  return component.available && doc.sections.filter((s) => s.type === component.type).length < component.maxPerPage;
}

/** The component's default section with a new id, inserted after `at` (at the end when null). */
export function addSection(doc: PageDocument, component: ComponentInfo, at: number | null): { doc: PageDocument; index: number } {
  const base = component.default as { settings?: Record<string, unknown>; blocks?: Block[] };
  const id = freshId(component.type.replace(/_/g, '-') + '-', doc.sections.map((s) => s.id));
  const section: Section = { id, type: component.type, settings: structuredClone(base.settings ?? {}), blocks: structuredClone(base.blocks ?? []) };
  const index = at === null ? doc.sections.length : at + 1;
  const sections = [...doc.sections.slice(0, index), section, ...doc.sections.slice(index)];
  return { doc: { ...doc, sections }, index };
}

export function moveSection(doc: PageDocument, from: number, to: number): PageDocument {
  if (to < 0 || to >= doc.sections.length) return doc;
  const sections = [...doc.sections];
  const [moved] = sections.splice(from, 1);
  sections.splice(to, 0, moved);
  return { ...doc, sections };
}

export function removeSection(doc: PageDocument, index: number): PageDocument {
  return { ...doc, sections: doc.sections.filter((_, i) => i !== index) };
}

/** A section as the form left it: blocks the form added get an id, and the type when the component has one. */
export function withBlockIds(section: Section, blockTypes: readonly string[]): Section {
  const blocks = (section.blocks ?? []).map((b) => b ?? ({} as Block));
  const taken = blocks.map((b) => b.id).filter(Boolean);
  const filled = blocks.map((b) => {
    if (b.id && b.type) return b;
    const id = b.id || freshId('b', taken);
    taken.push(id);
    return { ...b, id, type: b.type || blockTypes[0], settings: b.settings ?? {} };
  });
  return { ...section, settings: section.settings ?? {}, blocks: filled };
}

/** Where a UserError's `field` points in the document: a section's path, the page's, or neither (the input's). */
export type Placed = { section: number; path: string[] } | { page: string[] } | { input: true };

export function place(error: UserError): Placed {
  const field = error.field ?? [];
  if (field[0] !== 'input' || field[1] !== 'document') return { input: true };
  const rest = field.slice(2);
  if (rest[0] === 'sections' && rest.length > 1) return { section: Number(rest[1]), path: rest.slice(2) };
  return { page: rest };
}

/** react-jsonschema-form's errorSchema (extraErrors) for errors at these paths: each shown at its own field. */
export function errorSchema(errors: { path: string[]; message: string }[]): ErrorSchema {
  const root: Record<string, any> = {};
  for (const { path, message } of errors) {
    let node = root;
    for (const key of path) node = node[key] ??= {};
    (node.__errors ??= []).push(message);
  }
  return root as ErrorSchema;
}
