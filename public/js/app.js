// TutorKit's only page script. It keeps the launch token out of the address bar and sends it
// with every htmx request, so nothing depends on cookies (which LMS iframes often block).
(function () {
  'use strict';
  var FIELD = 'lt';
  var STORE_KEY = 'tutorkit-token';
  var token = null;

  function remember(value) {
    token = value;
    try { sessionStorage.setItem(STORE_KEY, value); } catch (e) { /* storage blocked in the frame: memory only */ }
  }
  function recall() {
    try { return sessionStorage.getItem(STORE_KEY); } catch (e) { return null; }
  }

  // 1. Take the token from the first page load's URL, then remove it from history.
  var url = new URL(window.location.href);
  var fromUrl = url.searchParams.get(FIELD);
  if (fromUrl) {
    remember(fromUrl);
    url.searchParams.delete(FIELD);
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  } else {
    token = recall();
  }

  // 2. A reload lost the token from the URL: try once more with the one this tab remembers.
  if (document.body && document.body.dataset.needsToken === 'true' && token && !url.searchParams.has('retried')) {
    url.searchParams.set(FIELD, token);
    url.searchParams.set('retried', '1');
    window.location.replace(url.toString());
    return;
  }

  // 3. Every htmx request carries the token in a header; a refreshed token replaces it.
  document.addEventListener('htmx:configRequest', function (event) {
    if (token) event.detail.headers['Authorization'] = 'Bearer ' + token;
  });
  document.addEventListener('htmx:afterRequest', function (event) {
    var xhr = event.detail.xhr;
    var next = xhr && xhr.getResponseHeader('X-TutorKit-Token');
    if (next) remember(next);
  });

  // 4. Plain forms that leave for another system (demo LMS, deep linking) submit themselves.
  function autosubmit() {
    var form = document.querySelector('form[data-autosubmit]');
    if (form) form.submit();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', autosubmit);
  else autosubmit();
})();
