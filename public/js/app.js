// TutorKit's only page script. It keeps the launch token out of the address bar and sends it
// with every htmx request, so nothing depends on cookies (which LMS iframes often block).
(function () {
  'use strict';
  var FIELD = 'lt';
  var RETRIED = 'retried';
  var STORE_KEY = 'tutorkit-token';
  var token = null;

  function remember(value) {
    token = value;
    try { sessionStorage.setItem(STORE_KEY, value); } catch (e) { /* storage blocked in the frame: memory only */ }
  }
  function recall() {
    try { return sessionStorage.getItem(STORE_KEY); } catch (e) { return null; }
  }

  var url = new URL(window.location.href);
  var needsToken = document.body && document.body.dataset.needsToken === 'true';

  // 1. Take the token from the first page load's URL, then remove it (and any retry mark) from history.
  var fromUrl = url.searchParams.get(FIELD);
  if (fromUrl) remember(fromUrl);
  else token = recall();
  if (!needsToken && (url.searchParams.has(FIELD) || url.searchParams.has(RETRIED))) {
    url.searchParams.delete(FIELD);
    url.searchParams.delete(RETRIED);
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  }

  // 2. A reload lost the token from the URL: try once with the one this tab remembers. The mark
  //    stops a loop when that token has expired too.
  if (needsToken && token && !url.searchParams.has(RETRIED)) {
    url.searchParams.set(FIELD, token);
    url.searchParams.set(RETRIED, '1');
    window.location.replace(url.toString());
    return;
  }

  // 3. Every htmx request carries the token in a header; a refreshed token replaces it.
  document.addEventListener('htmx:configRequest', function (event) {
    if (token) event.detail.headers['Authorization'] = 'Bearer ' + token;
  });
  // Going Back re-fetches the page (no history cache, it would keep personal data in storage).
  document.addEventListener('htmx:historyCacheMiss', function (event) {
    if (token) event.detail.xhr.setRequestHeader('Authorization', 'Bearer ' + token);
  });
  document.addEventListener('htmx:afterRequest', function (event) {
    var xhr = event.detail.xhr;
    var next = xhr && xhr.getResponseHeader('X-TutorKit-Token');
    if (next) remember(next);
  });

  // 4. After a boosted navigation, move focus to the new page's content so it is announced.
  document.addEventListener('htmx:afterSettle', function (event) {
    if (!event.detail.boosted) return;
    var main = document.getElementById('main');
    if (main) main.focus();
  });

  // 5. Plain forms that leave for another system (demo LMS, deep linking) submit themselves.
  function autosubmit() {
    var form = document.querySelector('form[data-autosubmit]');
    if (form) form.submit();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', autosubmit);
  else autosubmit();
})();
