/**
 * The shell's forms (part of /console/assets/console.js, inside its closure): a reason and a button
 * (`actionForm`), a form of several fields (`fieldsForm`), and what an answer shows (`afterAction`).
 * An answer 202 is an approval request, never the act: it is shown as pending with a link to the
 * request on the approvals page, whatever the page said it would show on success.
 */
export const CONSOLE_FORMS_JS = String.raw`
  /** A reason field and a button; run(reason) returns the API promise. */
  function actionForm(o) {
    var input = h('input', { type: 'text', name: 'reason', required: o.reasonRequired !== false, maxlength: 500, placeholder: o.placeholder || '' });
    var button = h('button', { type: 'submit', class: o.kind || 'primary', text: o.button });
    var form = h('form', { class: 'act', 'aria-label': o.label }, [h('label', {}, [o.reasonLabel || 'Reason', input]), button]);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (!busy(button, true)) return;
      o.run(input.value.trim()).then(function (r) { busy(button, false); o.done(r); }, function (e) { busy(button, false); say('error', String(e.message || e)); });
    });
    return form;
  }
  /**
   * A button while its act is in flight: aria-disabled, not disabled (a disabled button drops the
   * keyboard focus to the top of the page). false when it was busy already (a second submit).
   */
  function busy(button, on) {
    if (on && button.getAttribute('aria-disabled') === 'true') return false;
    if (on) button.setAttribute('aria-disabled', 'true'); else button.removeAttribute('aria-disabled');
    return true;
  }

  var fieldSeq = 0;
  /**
   * A form of several fields and a reason: o = {label, button, kind, fields: [{name, label, type:
   * 'text' | 'decimal' | 'integer' | 'select' | 'checkbox', value, options: [[value, label]], hint,
   * required}], reason: 'required' | 'optional' | false, run(values, reason, changed), done}. values
   * holds every field (a checkbox's as a boolean, the others as trimmed text), changed the names of
   * those that differ from their initial value: an edit sends only what it changes.
   */
  function fieldsForm(o) {
    var inputs = [];
    var rows = o.fields.map(function (f) {
      var id = 'f' + (++fieldSeq);
      var hint = f.hint ? h('span', { class: 'hint', id: id + '-hint', text: f.hint }) : null;
      var input;
      if (f.type === 'select') {
        input = h('select', { name: f.name, id: id, 'aria-describedby': hint ? id + '-hint' : null }, (f.options || []).map(function (opt) {
          return h('option', { value: opt[0], selected: String(opt[0]) === String(f.value), text: opt[1] });
        }));
      } else if (f.type === 'checkbox') {
        input = h('input', { type: 'checkbox', name: f.name, id: id, checked: !!f.value, 'aria-describedby': hint ? id + '-hint' : null });
      } else {
        input = h('input', { type: 'text', name: f.name, id: id, value: f.value === null || f.value === undefined ? '' : String(f.value), required: !!f.required,
          inputmode: f.type === 'decimal' ? 'decimal' : f.type === 'integer' ? 'numeric' : null, maxlength: 200, 'aria-describedby': hint ? id + '-hint' : null });
      }
      inputs.push({ f: f, el: input });
      return f.type === 'checkbox'
        ? h('div', { class: 'field check' }, [input, h('label', { for: id, text: f.label }), hint])
        : h('div', { class: 'field' }, [h('label', { for: id, text: f.label }), input, hint]);
    });
    var reason = null;
    if (o.reason !== false) {
      var rid = 'f' + (++fieldSeq);
      reason = h('input', { type: 'text', name: 'reason', id: rid, required: o.reason === 'required', maxlength: 500 });
      rows.push(h('div', { class: 'field' }, [h('label', { for: rid, text: o.reason === 'required' ? 'Reason (required)' : 'Reason' }), reason]));
    }
    var button = h('button', { type: 'submit', class: o.kind || 'primary', text: o.button });
    var form = h('form', { class: 'edit', 'aria-label': o.label }, [h('div', { class: 'fields' }, rows), h('div', { class: 'buttons' }, button)]);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var values = {}; var changed = [];
      inputs.forEach(function (x) {
        var v = x.f.type === 'checkbox' ? x.el.checked : String(x.el.value).trim();
        var initial = x.f.type === 'checkbox' ? !!x.f.value : x.f.value === null || x.f.value === undefined ? '' : String(x.f.value);
        values[x.f.name] = v;
        if (v !== initial) changed.push(x.f.name);
      });
      if (!busy(button, true)) return;
      Promise.resolve().then(function () { return o.run(values, reason ? reason.value.trim() : undefined, changed); }).then(function (r) {
        busy(button, false);
        if (r) o.done(r);
      }, function (e) { busy(button, false); say('error', String(e.message || e)); });
    });
    return form;
  }

  /** Where an approval request is shown: the approvals page, scrolled to it. */
  function approvalHref(id) { return '/console/approvals#' + encodeURIComponent(id); }

  /** The notice of an answer 202: pending, with a link to the request; the act is not done. */
  function pendingNotice(r, what) {
    var id = r.body && r.body.approval_id;
    return [pill('warn', 'Pending'), ' Approval requested' + (what ? ' for ' + what : '') + ': not done until another person approves. ',
      id ? h('a', { href: approvalHref(id), class: 'pending-link', text: 'Open the request ' + String(id).slice(0, 8) }) : null];
  }

  /** What to do with an action's answer: 2xx shows okText (a string, or a function of the answer), 202 pending, else the refusal. */
  function afterAction(okText, what) {
    return function (r) {
      if (r.status === 202) { say('info', pendingNotice(r, what)); load(); }
      else if (r.ok) { say('ok', typeof okText === 'function' ? okText(r) : okText); load(); }
      else say('error', 'Refused — ' + problem(r));
    };
  }
`;
