import DOMPurify from 'dompurify';

// The server sanitises rich text on save (nh3); the console's preview shows a draft before that, so the HTML is
// sanitised here too (DOMPurify). Pictures on other hosts lose their src: the page asks no host but this server.
const purifier = DOMPurify();
purifier.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName !== 'IMG') return;
  const src = node.getAttribute('src') ?? '';
  if (!src.startsWith('/') || src.startsWith('//')) node.removeAttribute('src');
});

export function safeHtml(html: string): string {
  return purifier.sanitize(html, { FORBID_TAGS: ['style', 'iframe', 'form', 'video', 'audio', 'source', 'picture'], FORBID_ATTR: ['style', 'srcset'] });
}
