// TutorKit's page script. After a launch, the person's token lives only in this page (and this
// tab's sessionStorage) and travels in the Authorization header of htmx requests, so nothing
// depends on cookies, which LMS frames often block, and no token ever sits in a URL.
(function () {
  'use strict';
  var STORE_KEY = 'tutorkit-token';
  var token = null;

  function remember(value) {
    token = value;
    try { sessionStorage.setItem(STORE_KEY, value); } catch (e) { /* storage blocked in the frame: memory only */ }
  }
  function recall() {
    try { return sessionStorage.getItem(STORE_KEY); } catch (e) { return null; }
  }
  function parseJson(text) {
    try { return JSON.parse(text); } catch (e) { return null; }
  }
  function show(id) {
    var el = document.getElementById(id);
    if (el) el.hidden = false;
  }
  function refuseLaunch() {
    var opening = document.getElementById('lti-launch-opening');
    if (opening) opening.hidden = true;
    show('lti-launch-refused');
  }

  /** Loads a TutorKit page into this document with the token, as a boosted link would. */
  function loadPage(path) {
    return window.htmx.ajax('GET', path, { target: 'body', swap: 'innerHTML' }).then(function () {
      window.history.replaceState(null, '', path);
    });
  }

  function storageFor(check) {
    return window.TutorKitPlatformStorage({ win: window, target: check.target, origin: check.origin });
  }

  /** The launch's state and nonce must be in the LMS window's storage: it started this login. */
  function verifyWithPlatform(check) {
    var storage = storageFor(check);
    return Promise.all([storage.get(check.keys.state), storage.get(check.keys.nonce)]).then(function (values) {
      if (values[0] !== check.state || values[1] !== check.nonce) throw new Error('the platform does not know this launch');
    });
  }

  // Login step with platform storage: store state and nonce in the LMS window, then continue.
  function runLogin(el) {
    var storage = parseJson(el.dataset.storage);
    var proceed = function () { window.location.replace(el.dataset.authUrl); };
    if (!storage) return proceed();
    var platform = storageFor(storage);
    // If the platform cannot store, continue anyway: the state cookie may still work.
    Promise.all([platform.put(storage.keys.state, storage.state), platform.put(storage.keys.nonce, storage.nonce)]).then(proceed, proceed);
  }

  // Launch step: open the person's home page with the token this page was given.
  function runLaunch(el) {
    remember(el.dataset.token);
    loadPage(el.dataset.home);
  }

  // A launch or deep link waiting for the LMS window to confirm it: confirm, then continue.
  function runChecks() {
    var waiting = document.querySelectorAll('form[data-check]');
    Array.prototype.forEach.call(waiting, function (form) {
      verifyWithPlatform(parseJson(form.dataset.check)).then(function () {
        if (form.id === 'lti-confirm') form.submit();
        else form.hidden = false;
      }, refuseLaunch);
    });
  }

  function start() {
    var login = document.getElementById('lti-login');
    if (login) return runLogin(login);
    var launch = document.getElementById('lti-launch');
    if (launch) return runLaunch(launch);
    runChecks();
    token = recall();
    // A reload lost the in-page token: fetch the page again with the one this tab remembers.
    if (document.body.dataset.needsToken === 'true' && token) loadPage(window.location.pathname + window.location.search);
    var opener = document.getElementById('open-new-window');
    if (opener) opener.addEventListener('click', function () { show('opened-new-window'); });
  }

  // Other page scripts (live.js) send requests of their own with the same token, and hand back a refreshed one.
  window.TutorKitToken = {
    get: function () { return token; },
    refresh: function (next) { if (next) remember(next); },
  };

  // Every htmx request carries the token in a header; a refreshed token replaces it.
  document.addEventListener('htmx:configRequest', function (event) {
    if (token) event.detail.headers['Authorization'] = 'Bearer ' + token;
  });
  // Going Back re-fetches the page (no history cache: it would keep personal data in storage).
  document.addEventListener('htmx:historyCacheMiss', function (event) {
    if (token) event.detail.xhr.setRequestHeader('Authorization', 'Bearer ' + token);
  });
  document.addEventListener('htmx:afterRequest', function (event) {
    var xhr = event.detail.xhr;
    var next = xhr && xhr.getResponseHeader('X-TutorKit-Token');
    if (next) remember(next);
  });
  // After a boosted navigation, move focus to the new page's content so it is announced.
  document.addEventListener('htmx:afterSettle', function (event) {
    if (!event.detail.boosted) return;
    var main = document.getElementById('main');
    if (main) main.focus();
  });

  // A person without a time zone yet: store the browser's, then show this page again in it.
  var zoneSent = false;
  function adoptBrowserZone(root) {
    var probe = root.querySelector ? root.querySelector('#zone-probe') : null;
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!probe || !zone || !token || zoneSent) return;
    zoneSent = true;
    probe.remove();
    window.htmx.ajax('POST', probe.dataset.url, { values: { zone: zone }, swap: 'none' }).then(function () {
      loadPage(window.location.pathname + window.location.search);
    });
  }
  document.addEventListener('htmx:load', function (event) { adoptBrowserZone(event.detail.elt); });

  // The Add sessions form: show only the repeat fields that apply, and start in the browser's zone.
  function setUpSessionForm(root) {
    var repeat = root.querySelector ? root.querySelector('#repeat') : null;
    if (repeat) {
      var sync = function () {
        Array.prototype.forEach.call(document.querySelectorAll('[data-repeat]'), function (el) {
          el.hidden = el.dataset.repeat.split(' ').indexOf(repeat.value) === -1;
        });
      };
      repeat.addEventListener('change', sync);
      sync();
    }
    var zone = root.querySelector ? root.querySelector('select[data-default-zone="browser"]') : null;
    if (zone) {
      var browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (browserZone && zone.querySelector('option[value="' + browserZone + '"]')) zone.value = browserZone;
      zone.dataset.defaultZone = '';
    }
  }
  document.addEventListener('htmx:load', function (event) { setUpSessionForm(event.detail.elt); });

  // Any change to the session form re-checks availability, except the alert's own confirmation
  // box: re-rendering the alert would take the focus away from it.
  document.addEventListener('change', function (event) {
    var form = event.target.closest && event.target.closest('#session-form');
    var alert = document.getElementById('conflicts');
    if (!form || !alert || alert.contains(event.target)) return;
    window.htmx.trigger(alert, 'tk:recheck');
  });

  // Plain forms that leave for another system (demo LMS, deep linking) submit themselves.
  function autosubmit() {
    var form = document.querySelector('form[data-autosubmit]');
    if (form) form.submit();
  }

  function ready() {
    autosubmit();
    start();
    setUpSessionForm(document);
    adoptBrowserZone(document);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready);
  else ready();
})();
