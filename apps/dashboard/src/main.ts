import { api, token, Unauthorized } from './api';
import { h } from './dom';
import { match, type Route } from './router';
import { graphView } from './views/graph';
import { incidentView } from './views/incident';
import { incidentsView } from './views/incidents';
import { backendsView, servicesView } from './views/lists';

// Live: the page re-reads the API this often (polling keeps working through proxies and storms).
const REFRESH_MS = 3000;

const routes: Route[] = [
  { pattern: /^\/$/, view: incidentsView, nav: '#/' },
  { pattern: /^\/incidents\/(.+)$/, view: incidentView, nav: '#/' },
  { pattern: /^\/graph(?:\/(.+))?$/, view: graphView, nav: '#/graph' },
  { pattern: /^\/services$/, view: servicesView, nav: '#/services' },
  { pattern: /^\/backends$/, view: backendsView, nav: '#/backends' },
];

const app = document.getElementById('app') as HTMLElement;
const live = document.getElementById('live') as HTMLElement;
const signout = document.getElementById('signout') as HTMLButtonElement;
let current = '';
let keep: Record<string, unknown> = {};
let timer: number | undefined;
let rendering = false;
let again = false;

async function render(): Promise<void> {
  if (rendering) {
    again = true;
    return;
  }
  if (!token.get()) return signIn();
  const found = match(routes, location.hash);
  if (!found) {
    location.hash = '#/';
    return;
  }
  if (location.hash !== current) {
    (keep.graph as { kill(): void } | undefined)?.kill();
    keep = {};
    current = location.hash;
  }
  for (const a of document.querySelectorAll('header nav a'))
    a.classList.toggle('active', a.getAttribute('href') === found.route.nav);
  signout.hidden = false;
  rendering = true;
  try {
    await found.route.view(app, found.params, keep);
    live.textContent = `live · updated ${new Date().toLocaleTimeString()}`;
    live.classList.remove('error');
  } catch (e) {
    if (e instanceof Unauthorized) {
      token.clear();
      return signIn(e.message);
    }
    live.textContent = `update failed: ${(e as Error).message}`;
    live.classList.add('error');
  } finally {
    rendering = false;
  }
  if (again) {
    again = false;
    return render();
  }
  window.clearTimeout(timer);
  timer = window.setTimeout(() => void render(), REFRESH_MS);
}

/** Asks for a read token; kept in sessionStorage, i.e. only while this tab is open. */
function signIn(reason?: string): void {
  window.clearTimeout(timer);
  signout.hidden = true;
  const input = h('input', {
    type: 'password',
    id: 'token',
    placeholder: 'API token with the read scope',
    autocomplete: 'off',
  });
  const message = h('p', { class: 'error' }, reason ?? '');
  const submit = async () => {
    if (!(await api.check(input.value.trim()))) {
      message.textContent = 'That token was refused.';
      return;
    }
    token.set(input.value.trim());
    current = '';
    void render();
  };
  input.addEventListener('keydown', (e) => e.key === 'Enter' && void submit());
  app.replaceChildren(
    h(
      'div',
      { class: 'card signin' },
      h('h1', {}, 'Sign in'),
      h(
        'p',
        { class: 'muted' },
        'Faultline shows nothing without a token. It stays in this tab only.',
      ),
      input,
      ' ',
      h(
        'button',
        { class: 'primary', type: 'button', id: 'signin', onclick: () => void submit() },
        'Sign in',
      ),
      message,
    ),
  );
  input.focus();
}

signout.addEventListener('click', () => {
  token.clear();
  signIn();
});
window.addEventListener('hashchange', () => void render());
void render();
