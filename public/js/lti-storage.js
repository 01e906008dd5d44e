// LTI platform storage (1EdTech "LTI Client Side postMessages"): keeps small values in the LMS
// window, for browsers that block cookies inside the LMS frame. Messages go only to the
// platform's origin; replies count only from that origin and with the id we sent.
(function (root) {
  'use strict';

  /**
   * @param {object} options
   * @param {Window} options.win        this window (listens for replies)
   * @param {string} options.target     lti_storage_target: "_parent" or a frame name in the parent
   * @param {string} options.origin     the platform origin (of its OIDC authorization endpoint)
   * @param {number} [options.timeoutMs]
   */
  function createPlatformStorage(options) {
    var win = options.win;
    var origin = options.origin;
    var timeoutMs = options.timeoutMs || 3000;
    var counter = 0;

    function targetWindow() {
      if (options.target === '_parent') return win.parent;
      try {
        return win.parent.frames[options.target] || null;
      } catch (e) {
        return null;
      }
    }

    function send(subject, fields) {
      return new Promise(function (resolve, reject) {
        var target = targetWindow();
        if (!target || target === win) {
          reject(new Error('no platform window to talk to'));
          return;
        }
        counter += 1;
        var messageId = 'tutorkit-' + Date.now().toString(36) + '-' + counter + '-' + Math.random().toString(36).slice(2);
        var timer = setTimeout(function () {
          win.removeEventListener('message', onMessage);
          reject(new Error('the platform did not answer ' + subject));
        }, timeoutMs);
        function onMessage(event) {
          var data = event.data;
          if (event.origin !== origin) return;
          if (!data || typeof data !== 'object' || data.message_id !== messageId) return;
          if (data.subject !== subject + '.response') return;
          clearTimeout(timer);
          win.removeEventListener('message', onMessage);
          if (data.error) reject(new Error((data.error.code || 'error') + ': ' + (data.error.message || '')));
          else resolve(data);
        }
        win.addEventListener('message', onMessage);
        var message = { subject: subject, message_id: messageId };
        for (var k in fields) if (Object.prototype.hasOwnProperty.call(fields, k)) message[k] = fields[k];
        target.postMessage(message, origin);
      });
    }

    return {
      put: function (key, value) {
        return send('lti.put_data', { key: key, value: value });
      },
      get: function (key) {
        return send('lti.get_data', { key: key }).then(function (data) {
          return data.value;
        });
      },
    };
  }

  root.TutorKitPlatformStorage = createPlatformStorage;
})(typeof window !== 'undefined' ? window : globalThis);
