// A static site whose `feature/look` branch changes how pages look and how accessible they are, for the
// base comparison's pixel and axe-core checks:
//   /                the entry page, not touched by the change; a big clock that differs on every load
//                    (masked by the repo config, so it must never count)
//   /touched.html    the change rewrites it: a visible change the diff explains (information)
//   /untouched.html  no changed file maps to it, but the shared style.css recolours its box (a warning)
//   /a11y.html       no `lang` on both sides (pre-existing), an image without alt text new on head, an
//                    empty button that head gives a name (fixed)
import { createGitRepo, type GitRepo } from './gitRepo.js';

const page = (title: string, body: string, lang = ' lang="en"') =>
  `<!doctype html><html${lang}><head><meta charset="utf-8"><title>${title}</title>` +
  `<link rel="stylesheet" href="/style.css"></head><body><main><h1>${title}</h1>${body}</main></body></html>\n`;

const clock =
  '<div id="clock" style="font:64px monospace;width:640px;height:90px"></div>' +
  "<script>document.getElementById('clock').textContent = String(Date.now()).slice(-8) + String(Math.random()).slice(2, 6);</script>";

const links =
  '<ul><li><a href="/touched.html">Touched</a></li><li><a href="/untouched.html">Untouched</a></li>' +
  '<li><a href="/a11y.html">Accessibility</a></li></ul>';

const style = (box: string) =>
  `body{font:16px sans-serif;margin:24px;color:#111;background:#fff}.box{width:400px;height:200px;background:${box}}\n`;

const dot =
  '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="18" fill="#444"/></svg>\n';

export interface PageCompareRepoOptions {
  /** The head's `.myfav-coworker.json` (the base has `{ "mask": ["#clock"] }`). */
  headConfig?: Record<string, unknown>;
}

export function createPageCompareRepo(opts: PageCompareRepoOptions = {}): Promise<GitRepo> {
  const config = { mask: ['#clock'] };
  return createGitRepo({
    files: {
      '.myfav-coworker.json': JSON.stringify(config),
      'index.html': page('Home', `${clock}${links}`),
      'style.css': style('#1f6feb'),
      'touched.html': page('Touched', '<p>Before the change.</p>'),
      'untouched.html': page('Untouched', '<div class="box"></div>'),
      'a11y.html': page('Accessibility', '<img src="/dot.svg" alt="A dot"> <button></button>', ''),
      'dot.svg': dot,
    },
    branches: {
      'feature/look': {
        '.myfav-coworker.json': JSON.stringify({ ...config, ...opts.headConfig }),
        'style.css': style('#d1242f'),
        'touched.html': page(
          'Touched',
          '<div style="width:600px;height:300px;background:#2da44e"></div><p>After the change.</p>',
        ),
        'a11y.html': page('Accessibility', '<img src="/dot.svg"> <button>Save</button>', ''),
      },
    },
  });
}
