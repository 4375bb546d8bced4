import { describe, expect, it } from 'vitest';
import { addSection, canAdd, emptyDocument, errorSchema, moveSection, place, removeSection, withBlockIds, type ComponentInfo } from '../src/console/pages/document';

const banner: ComponentInfo = { type: 'banner_carousel', name: '轮播图', available: true, maxPerPage: 2, blockTypes: ['slide'], default: { type: 'banner_carousel', settings: { height: 360 }, blocks: [{ id: 'b1', type: 'slide', settings: { image: '/media/a.jpg' } }] } };

describe('the page editor on the document', () => {
  it('adds a component as its default with an id of its own, after the selected section', () => {
    // given
    const doc = addSection(addSection(emptyDocument('HOME'), banner, null).doc, banner, null).doc;
    // when
    const { doc: next, index } = addSection({ ...doc, sections: [doc.sections[0]] }, banner, 0);
    // then
    expect(index).toBe(1);
    expect(doc.sections.map((s) => s.id)).toEqual(['banner-carousel-1', 'banner-carousel-2']);
    expect(next.sections[1]).toEqual({ id: 'banner-carousel-2', type: 'banner_carousel', settings: { height: 360 }, blocks: [{ id: 'b1', type: 'slide', settings: { image: '/media/a.jpg' } }] });
  });

  it('offers a component only while it is available and under its maxPerPage', () => {
    const two = addSection(addSection(emptyDocument('HOME'), banner, null).doc, banner, null).doc;
    expect(canAdd(emptyDocument('HOME'), banner)).toBe(true);
    expect(canAdd(two, banner)).toBe(false);
    expect(canAdd(emptyDocument('HOME'), { ...banner, available: false })).toBe(false);
  });

  it('moves within the page and removes', () => {
    const doc = { ...emptyDocument('HOME'), sections: ['a', 'b', 'c'].map((id) => ({ id, type: 'spacer', settings: {}, blocks: [] })) };
    expect(moveSection(doc, 2, 0).sections.map((s) => s.id)).toEqual(['c', 'a', 'b']);
    expect(moveSection(doc, 0, -1)).toBe(doc);
    expect(removeSection(doc, 1).sections.map((s) => s.id)).toEqual(['a', 'c']);
  });

  it('gives blocks the form added an id not taken yet and the component’s block type', () => {
    const section = { id: 's', type: 'banner_carousel', settings: {}, blocks: [{ id: 'b1', type: 'slide', settings: {} }, { settings: { image: '/media/x.jpg' } } as never] };
    expect(withBlockIds(section, ['slide']).blocks[1]).toEqual({ id: 'b2', type: 'slide', settings: { image: '/media/x.jpg' } });
  });
});

describe("the server's errors in the editor", () => {
  it('places an error by its field path: a section, the page, or the input', () => {
    expect(place({ code: 'INVALID_INPUT', field: ['input', 'document', 'sections', '3', 'settings', 'limit'], message: 'm' })).toEqual({ section: 3, path: ['settings', 'limit'] });
    expect(place({ code: 'INVALID_INPUT', field: ['input', 'document', 'title'], message: 'm' })).toEqual({ page: ['title'] });
    expect(place({ code: 'CONFLICT', field: ['input', 'expectedRevisionId'], message: 'm' })).toEqual({ input: true });
    expect(place({ code: 'RATE_LIMITED', field: null, message: 'm' })).toEqual({ input: true });
  });

  it("builds react-jsonschema-form's errorSchema, each message at its field", () => {
    expect(errorSchema([{ path: ['settings', 'productIds', '0'], message: 'No such product' }, { path: ['settings', 'productIds', '0'], message: 'again' }, { path: [], message: 'whole' }])).toEqual({
      __errors: ['whole'],
      settings: { productIds: { 0: { __errors: ['No such product', 'again'] } } },
    });
  });
});
