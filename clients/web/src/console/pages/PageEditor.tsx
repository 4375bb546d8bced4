import { CreatePagePreviewDocument, PageComponentsDocument, PageDraftsDocument, PagePreviewDocument, ProductsDocument, PublishPageDocument, SavePageDraftDocument, type EditablePageFragment, type PageComponentsQuery, type PageKind, type UserError } from '@youxianggou/sdk';
import type { UiSchema } from '@rjsf/utils';
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { client, useQuery } from '../../api';
import { PageSections } from '../../sections/Sections';
import type { PageTheme, SectionData, SectionView } from '../../sections/types';
import { ErrorState, Loading, UserErrors } from '../../ui';
import { addSection, canAdd, emptyDocument, errorSchema, moveSection, PAGE_NAMES, place, removeSection, withBlockIds, type PageDocument, type Section } from './document';
import { SchemaForm } from './SchemaForm';

// The page editor (店铺装修): the page's sections on the left (add, move, remove), the selected one's form from its
// component's JSON Schema in the middle, and the draft drawn beside them with the H5's own section components.
// Data a section shows (products, coupons...) comes from the server's render of the last saved draft.

type Component = PageComponentsQuery['pageComponents'][number];
type Resolved = { data: SectionData | null; available: boolean; reason: string | null };
type Address = { shopId: string; kind: PageKind; slug: string | null };

// Chinese titles for the few settings whose schema has none (the others carry their own `title`).
const SETTINGS_UI: UiSchema = {
  'ui:title': '设置',
  productIds: { 'ui:widget': 'checkboxes' },
  couponIds: { 'ui:title': '指定优惠券（留空：店铺可领的券）', items: { 'ui:title': '优惠券 ID' } },
  liveRoomId: { 'ui:title': '直播间 ID（留空：店铺最新的直播间）' },
  url: { 'ui:title': '视频地址' },
  campaign: { 'ui:title': '活动', id: { 'ui:title': '活动 ID（留空：店铺第一个进行中的）' } },
};

function sectionUi(component: Component): UiSchema {
  return {
    id: { 'ui:widget': 'hidden' },
    type: { 'ui:widget': 'hidden' },
    settings: SETTINGS_UI,
    blocks: {
      'ui:title': '内容',
      items: {
        'ui:title': '内容块',
        id: { 'ui:widget': 'hidden' },
        type: component.blockTypes.length > 1 ? { 'ui:title': '类型' } : { 'ui:widget': 'hidden' },
        settings: { 'ui:label': false },
      },
    },
  };
}

/** A schema and its value without one property (the form does not show it; the schemas are closed objects). */
function without<V extends object>(schema: unknown, value: V, key: string): { schema: unknown; value: V } {
  const { properties, required = [], ...rest } = schema as { properties: Record<string, unknown>; required?: string[] };
  const { [key]: _, ...shown } = properties;
  const { [key as keyof V]: __, ...kept } = value;
  return { schema: { ...rest, properties: shown, required: required.filter((r) => r !== key) }, value: kept as V };
}

type Choice = { id: string; title: string };

/** `productIds` offered as the shop's products: the schema gives only an id pattern, the form real choices. */
function withProductChoices(schema: unknown, products: readonly Choice[]): unknown {
  const section = schema as { properties: { settings: { properties: Record<string, { items?: object }> } } };
  const ids = section.properties.settings.properties.productIds;
  if (!ids || !products.length) return schema; // an empty anyOf is no schema
  const choices = { ...ids, items: { ...ids.items, anyOf: products.map((p) => ({ const: p.id, title: p.title })) } };
  const settings = { ...section.properties.settings, properties: { ...section.properties.settings.properties, productIds: choices } };
  return { ...section, properties: { ...section.properties, settings } };
}

/** The section's form: a component without blocks has no blocks field to show. */
function sectionForm(component: Component, section: Section, products: readonly Choice[]): { schema: unknown; value: Section } {
  const schema = withProductChoices(component.schema, products);
  return component.blockTypes.length ? { schema, value: section } : without(schema, section, 'blocks');
}

const PAGE_UI: UiSchema = {
  'ui:title': '页面设置',
  'ui:description': '页面标题、导航栏和主题',
  schemaVersion: { 'ui:widget': 'hidden' },
  navigationBar: { 'ui:title': '导航栏' },
  theme: { 'ui:title': '主题（留空用店铺主题）', background: { 'ui:title': '背景色' }, text: { 'ui:title': '文字颜色' }, accent: { 'ui:title': '强调色' }, button: { 'ui:title': '按钮颜色' }, buttonText: { 'ui:title': '按钮文字颜色' } },
};

type Rendered = { shopName: string | null; sections: Record<string, Resolved> };

/** The server's render of the saved draft (through a preview link): each section's data, by section id. */
async function renderedDraft(address: Address): Promise<Rendered> {
  const made = await client.mutate(CreatePagePreviewDocument, { input: address });
  const token = made.ok ? made.data.createPagePreview.token : null;
  const page = token ? await client.query(PagePreviewDocument, { ...address, previewToken: token }, 'network-only') : null;
  const shown = page?.ok ? page.data.shopPage : null;
  if (!shown) return { shopName: null, sections: {} };
  return { shopName: shown.shop.name, sections: Object.fromEntries(shown.sections.map((s) => [s.id, { data: s.data as SectionData, available: s.available, reason: s.reason }])) };
}

function Editor({ address, components, products, pageLimitsSchema, initialPage, initialDoc }: { address: Address; components: Component[]; products: readonly Choice[]; pageLimitsSchema: unknown; initialPage: EditablePageFragment | null; initialDoc: PageDocument }) {
  const [doc, setDoc] = useState(initialDoc);
  const [page, setPage] = useState(initialPage);
  const [selected, setSelected] = useState<number | null>(initialDoc.sections.length ? 0 : null);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [rendered, setRendered] = useState<Rendered>({ shopName: null, sections: {} });
  const [adding, setAdding] = useState('');
  const byType = useMemo(() => new Map(components.map((c) => [c.type, c])), [components]);

  useEffect(() => {
    if (initialPage?.draftRevisionId) renderedDraft(address).then(setRendered);
  }, [address, initialPage?.draftRevisionId]);

  const placed = errors.map((e) => ({ error: e, at: place(e) }));
  const sectionErrors = (i: number) => placed.flatMap(({ error, at }) => ('section' in at && at.section === i ? [{ path: at.path, message: error.message }] : []));
  const pageErrors = placed.flatMap(({ error, at }) => ('page' in at ? [{ path: at.page, message: error.message }] : []));
  const inputErrors = placed.filter(({ at }) => 'input' in at).map(({ error }) => error);

  function edit(next: PageDocument, structural = false) {
    setDoc(next);
    setDirty(true);
    setNotice(null);
    if (structural) setErrors([]); // their section indexes no longer hold
  }

  async function save(): Promise<EditablePageFragment | null> {
    const r = await client.mutate(SavePageDraftDocument, { input: { ...address, document: doc, expectedDraftRevisionId: page?.draftRevisionId ?? null } });
    if (!r.ok) return setErrors([{ code: 'REQUEST', field: null, message: r.error.message }]), null;
    setErrors(r.userErrors);
    if (r.data.savePageDraft.page) setPage(r.data.savePageDraft.page);
    if (r.userErrors.length) return null;
    setDirty(false);
    renderedDraft(address).then(setRendered);
    return r.data.savePageDraft.page;
  }

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setNotice(null);
    try {
      await action();
    } finally {
      setBusy(false);
    }
  }

  const saveDraft = () => run(async () => void ((await save()) && setNotice('草稿已保存')));
  const publish = () =>
    run(async () => {
      const saved = dirty || !page?.draftRevisionId ? await save() : page;
      if (!saved?.draftRevisionId) return;
      const r = await client.mutate(PublishPageDocument, { input: { ...address, revisionId: saved.draftRevisionId, expectedRevisionId: saved.publishedRevisionId } });
      if (!r.ok) return setErrors([{ code: 'REQUEST', field: null, message: r.error.message }]);
      setErrors(r.userErrors);
      if (r.data.publishPage.page) setPage(r.data.publishPage.page);
      if (!r.userErrors.length) setNotice('已发布，顾客现在看到的就是这一版');
    });

  const section = selected === null ? null : doc.sections[selected];
  const component = section ? byType.get(section.type) : undefined;
  const addable = components.filter((c) => canAdd(doc, c));
  const status = !page?.publishedRevisionId ? '未发布' : page.publishedRevisionId === page.draftRevisionId && !dirty ? '已发布' : '有未发布的修改';
  const previewSections: SectionView[] = doc.sections.map((s) => ({ ...s, blocks: s.blocks ?? [], ...rendered.sections[s.id] }));

  return (
    <div className="page-editor">
      <div className="editor-bar pad">
        <Link to="/console/pages">‹ 全部页面</Link>
        <strong>{PAGE_NAMES[address.kind]}{address.slug ? ` /${address.slug}` : ''}</strong>
        <span className="tag" data-testid="page-status">{status}</span>
        {dirty && <span className="muted">未保存</span>}
        <span className="grow" />
        <button type="button" disabled={busy} onClick={saveDraft}>保存草稿</button>
        <button type="button" className="primary" disabled={busy} onClick={publish}>发布</button>
      </div>
      {notice && <p className="pad" role="status">{notice}</p>}
      <UserErrors errors={inputErrors} />
      <div className="editor-columns">
        <aside className="panel section-list" aria-label="页面组件">
          <button type="button" className={selected === null ? 'section-item on' : 'section-item'} onClick={() => setSelected(null)}>页面设置{pageErrors.length ? ' ⚠' : ''}</button>
          <ol>
            {doc.sections.map((s, i) => (
              <li key={s.id} className={i === selected ? 'on' : undefined} data-testid="section-item">
                <button type="button" className="section-item" onClick={() => setSelected(i)}>
                  {byType.get(s.type)?.name ?? s.type} <span className="muted">{s.id}</span>{sectionErrors(i).length ? <span className="error-mark"> ⚠</span> : null}
                </button>
                <span className="section-tools">
                  <button type="button" aria-label={`上移 ${s.id}`} disabled={i === 0} onClick={() => (edit(moveSection(doc, i, i - 1), true), setSelected(i - 1))}>↑</button>
                  <button type="button" aria-label={`下移 ${s.id}`} disabled={i === doc.sections.length - 1} onClick={() => (edit(moveSection(doc, i, i + 1), true), setSelected(i + 1))}>↓</button>
                  <button type="button" aria-label={`删除 ${s.id}`} onClick={() => (edit(removeSection(doc, i), true), setSelected(null))}>✕</button>
                </span>
              </li>
            ))}
          </ol>
          <div className="add-section">
            <select aria-label="组件类型" value={adding} onChange={(e) => setAdding(e.target.value)}>
              <option value="">选择组件…</option>
              {addable.map((c) => <option key={c.type} value={c.type}>{c.name}</option>)}
            </select>
            <button type="button" disabled={!adding} onClick={() => {
              const { doc: next, index } = addSection(doc, byType.get(adding)!, selected);
              edit(next, true);
              setSelected(index);
              setAdding('');
            }}>添加组件</button>
          </div>
        </aside>
        <section className="panel section-form">
          {section && component ? (
            <>
              <SchemaForm
                key={section.id}
                label={`${component.name}设置`}
                {...sectionForm(component, section, products)}
                uiSchema={sectionUi(component)}
                errors={errorSchema(sectionErrors(selected!))}
                onChange={(value: Section) => edit({ ...doc, sections: doc.sections.map((s, i) => (i === selected ? withBlockIds(value, component.blockTypes) : s)) })}
              />
            </>
          ) : section ? (
            <ErrorState error={`未知组件 ${section.type}`} />
          ) : (
            <SchemaForm key="page" label="页面设置" {...without(pageLimitsSchema, doc, 'sections')} uiSchema={PAGE_UI} errors={errorSchema(pageErrors)} onChange={(value: PageDocument) => edit({ ...value, sections: doc.sections })} />
          )}
        </section>
        <section className="preview" aria-label="预览">
          <div className="phone-frame" data-testid="page-preview">
            <header className="top"><h1>{doc.navigationBar?.title || rendered.shopName || doc.title}</h1></header>
            <main><PageSections sections={previewSections} shopId={address.shopId} theme={doc.theme as PageTheme | undefined} preview /></main>
          </div>
        </section>
      </div>
    </div>
  );
}

export default function PageEditor({ shopId }: { shopId: string }) {
  const { kind = 'HOME', slug } = useParams();
  const components = useQuery(PageComponentsDocument, {});
  const drafts = useQuery(PageDraftsDocument, { shopId }, false, true);
  const products = useQuery(ProductsDocument, { shopId, first: 100, sort: 'NEWEST' }, false, true);
  const address = useMemo<Address>(() => ({ shopId, kind: kind as PageKind, slug: slug ?? null }), [shopId, kind, slug]);
  const failed = components.error ?? drafts.error ?? products.error;
  if (failed) return <ErrorState error={failed} retry={() => (components.reload(), drafts.reload(), products.reload())} />;
  if (!components.data || !drafts.data || !products.data) return <Loading />;
  const choices = products.data.products.edges.map((e) => ({ id: e.node.id, title: e.node.title }));
  const page = drafts.data.shopPages.find((p) => p.kind === kind && (p.slug ?? null) === (slug ?? null)) ?? null;
  const doc = (page?.draft?.document as PageDocument | undefined) ?? emptyDocument(kind);
  const { draft: _, ...editable } = page ?? { draft: null };
  return <Editor key={`${kind}/${slug ?? ''}`} address={address} components={components.data.pageComponents} products={choices} pageLimitsSchema={components.data.pageLimits.schema} initialPage={page ? (editable as EditablePageFragment) : null} initialDoc={doc} />;
}
