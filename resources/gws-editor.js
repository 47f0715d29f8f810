/*
 * Editor code shared by the gws nodes. The action dialogs (complete record, get chained record, record
 * operation, preview session) are built from the operation table that the build writes to
 * gws-operations.js (window.GwsOperations): the registerType defaults, one row with a TypedInput per
 * request parameter, which rows an operation shows and which it marks required, the placeholders that
 * say where an empty field reads from, and the checks of literal values.
 *
 * Layout: a label column as wide as the widest label of the dialog (measured when the dialog opens, so
 * every label stays on one line in every language) and every field of a dialog in one column of one
 * width. As in Node-RED's core dialogs the width is an inline style on each field, which TypedInputs and
 * config-node selects copy; it refers to the measured label width through a CSS variable.
 *
 * Loaded by every node's editor file from resources/node-red-contrib-gws-outbound/, after gws-operations.js.
 */
/* global RED, $ */
(function () {
    'use strict';
    if (window.GwsEditor) { return; }

    var MODULE = 'node-red-contrib-gws-outbound';
    var NS = MODULE + '/gws-server:';
    /** The operation setting that reads msg.operation. */
    var FROM_MSG = 'msg';
    var BASE_TYPES = ['msg', 'flow', 'global', 'str', 'num', 'env', 'jsonata'];
    var OBJECT_TYPES = ['msg', 'flow', 'global', 'str', 'json', 'env', 'jsonata'];
    var DEVICE_PATH = /^\/devices\/[A-Za-z0-9._~:@-]+$/;
    var ENV_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;
    var INTEGER = /^\s*\d+\s*$/;
    var ISO_DATE = /^\s*\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?\s*$/;
    /** The width of every field of a dialog: the row less the label column (var) and the gap after it. */
    var FIELD_WIDTH = 'width: calc(100% - var(--gws-label-width, 150px) - 20px)';
    var ICONS = {
        server: 'fa-server', name: 'fa-tag', operation: 'fa-cogs',
        recordHandle: 'fa-hashtag', applicationId: 'fa-cube', campaignName: 'fa-bullhorn', callingList: 'fa-list',
        callResult: 'fa-check-square-o', callbackType: 'fa-user', timestamp: 'fa-calendar', phoneNumber: 'fa-phone-square',
        chainAttribute: 'fa-sitemap', timeZone: 'fa-globe', phoneType: 'fa-mobile', from: 'fa-hourglass-start',
        until: 'fa-hourglass-end', chainId: 'fa-code-fork', otherFields: 'fa-table', devicePath: 'fa-phone',
        referenceId: 'fa-link', waitForAck: 'fa-reply', timeout: 'fa-clock-o'
    };

    /** A text of the shared catalog (the gws-server set). */
    function t(key, params) {
        return RED._(NS + key, params);
    }

    /** A data-i18n attribute for a key of the shared catalog. */
    function i18n(key) {
        return 'data-i18n="' + NS + key + '"';
    }

    /** A text of a node type's own catalog. */
    function nodeText(type, key) {
        return RED._(MODULE + '/' + type + ':' + type + '.' + key);
    }

    function escapeHtml(text) {
        return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    }

    // ---------------------------------------------------------------- the operation table

    var reported = {};
    /** Says once, on the browser's console, what is wrong with the editor files. */
    function report(message) {
        if (reported[message]) { return; }
        reported[message] = true;
        if (typeof console !== 'undefined' && console.error) { console.error(MODULE + ': ' + message); }
    }

    var EMPTY_TABLE = { params: {}, operations: {}, nodes: {}, paramNames: [] };
    function table() {
        if (!window.GwsOperations) {
            // The dialogs then have no parameter rows; the console says why.
            report('resources/gws-operations.js is not loaded (the build writes it: npm run build)');
            return EMPTY_TABLE;
        }
        return window.GwsOperations;
    }

    /** The operations a node type offers; the first is its default. */
    function operationsOf(type) {
        var operations = table().nodes[type];
        if (!operations) {
            report(type + ' is not an action node of the operation table');
            return [];
        }
        return operations;
    }

    function takes(operation, param) {
        var spec = table().operations[operation];
        return !!spec && spec.params[param] !== undefined;
    }

    /** The parameters any of the operations takes, in table order (the rows of a dialog). */
    function paramsOf(operations) {
        return table().paramNames.filter(function (param) {
            return operations.some(function (operation) { return takes(operation, param); });
        });
    }

    /** Required when every one of the operations that takes it requires it. */
    function required(operations, param) {
        var taking = operations.filter(function (operation) { return takes(operation, param); });
        return taking.length > 0 && taking.every(function (operation) { return table().operations[operation].params[param] === 'required'; });
    }

    /** The operations a setting stands for: one, or all of the node's for msg.operation (and for an unknown one). */
    function operationsFor(type, setting) {
        var operations = operationsOf(type);
        return operations.indexOf(setting) >= 0 ? [setting] : operations;
    }

    // ---------------------------------------------------------------- checks

    function literal(type) {
        return !type || type === 'str' || type === 'num';
    }

    /** The node being edited, when `node` is it (its dialog's fields then hold the current values). */
    function editing(node) {
        var stack = RED.editor && RED.editor.getEditStack ? RED.editor.getEditStack() : [];
        var top = stack[stack.length - 1];
        return !!top && !!node && top.id === node.id;
    }

    /** A property as the dialog shows it while `node` is edited, else as the node holds it. */
    function current(node, property) {
        var field = $('#node-input-' + property);
        return editing(node) && field.length ? field.val() : node[property];
    }

    /** Checks of literal values by kind; values from msg, context or expressions are checked per message. */
    var CHECKS = {
        handle: function (value, param) {
            return (value !== '.' && value !== '..') || t('action.validation.recordHandle', { param: param });
        },
        integer: function (value, param) {
            return INTEGER.test(value) || ENV_REFERENCE.test(value) || t('action.validation.integer', { param: param });
        },
        devicePath: function (value, param) {
            return DEVICE_PATH.test(value) || ENV_REFERENCE.test(value) || t('action.validation.devicePath', { param: param });
        },
        enum: function (value, param, spec) {
            var lower = value.trim().toLowerCase();
            var ok = ENV_REFERENCE.test(value) || spec.values.some(function (allowed) { return allowed.toLowerCase() === lower; });
            return ok || t('action.validation.enum', { param: param, values: spec.values.join(', ') });
        },
        timestamp: function (value, param) {
            var ok = INTEGER.test(value) || ENV_REFERENCE.test(value) || (ISO_DATE.test(value) && !isNaN(Date.parse(value)));
            return ok || t('action.validation.timestamp', { param: param });
        },
        text: function (value, param, spec) {
            return !spec.max || value.length <= spec.max || t('action.validation.tooLong', { param: param, max: spec.max });
        }
    };
    CHECKS.referenceId = CHECKS.text;

    /** validate() of a parameter (Node-RED shows a string returned by a two-argument validator as the reason). */
    function check(type, param) {
        return function (value, opt) {
            if (value === '' || value === undefined || value === null) { return true; }
            var operations = operationsOf(type);
            if (operations.length > 1) {
                var setting = current(this, 'operation');
                if (setting === undefined || setting === null || setting === '') { setting = operations[0]; }
                // The chosen operation does not send this parameter: its value does not matter.
                if (operations.indexOf(setting) >= 0 && !takes(setting, param)) { return true; }
            }
            var spec = table().params[param];
            var valueType = current(this, param + 'Type');
            var text = String(value);
            if (spec.kind === 'object') {
                if (valueType === 'json') {
                    var parsed;
                    try { parsed = JSON.parse(text); } catch (e) { return t('action.validation.object', { param: param }); }
                    return (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) || t('action.validation.object', { param: param });
                }
                return valueType !== 'str' || ENV_REFERENCE.test(text) || t('action.validation.object', { param: param });
            }
            if (!literal(valueType) || !CHECKS[spec.kind]) { return true; }
            return CHECKS[spec.kind](text, param, spec);
        };
    }

    function checkOperation(type) {
        return function (value, opt) {
            // Unset: the runtime sends the first operation, as the dialog then shows.
            var ok = value === undefined || value === null || value === '' || value === FROM_MSG || operationsOf(type).indexOf(value) >= 0;
            return ok || t('action.validation.operation');
        };
    }

    function checkTimeout(value, opt) {
        var ok = value === '' || value === undefined || value === null || INTEGER.test(value);
        return ok || t('action.validation.timeout');
    }

    // ---------------------------------------------------------------- registerType parts

    /** The defaults of an action node's registerType, from the table. */
    function defaults(type) {
        var operations = operationsOf(type);
        var result = {
            name: { value: '' },
            server: { value: '', type: 'gws-server', required: true }
        };
        if (operations.length > 1) {
            result.operation = { value: operations[0], validate: checkOperation(type) };
        }
        paramsOf(operations).forEach(function (param) {
            result[param] = { value: '', validate: check(type, param) };
            result[param + 'Type'] = { value: 'str' };
        });
        result.waitForAck = { value: true };
        result.timeout = { value: '', validate: checkTimeout };
        return result;
    }

    /** Where the record handle comes from, as the node label shows it. */
    function handleSource(node) {
        var value = node.recordHandle;
        var type = node.recordHandleType || 'str';
        if (value === undefined || value === null || value === '') { return 'msg.payload.recordHandle'; }
        if (literal(type)) { return String(value); }
        if (type === 'jsonata') { return 'J: ' + value; }
        if (type === 'env') { return '${' + value + '}'; }
        return type + '.' + value;
    }

    /** Node label: the name, else the operation, and where the record handle comes from when it takes one. */
    function label(type) {
        return function () {
            if (this.name) { return this.name; }
            var operations = operationsOf(type);
            var setting = operations.length > 1 && this.operation ? String(this.operation) : operations[0];
            var shown = setting === FROM_MSG ? 'msg.operation' : (setting || type);
            return paramsOf(operationsFor(type, setting)).indexOf('recordHandle') >= 0 ? shown + ' ' + handleSource(this) : shown;
        };
    }

    // ---------------------------------------------------------------- the dialog

    function labelHtml(id, icon, key, star) {
        return '<label class="gws-label" for="' + id + '"><i class="fa ' + icon + '"></i> <span ' + i18n(key) + '></span>' +
            (star ? '<span class="gws-required"> *</span>' : '') + '</label>';
    }

    /** The rows of an action dialog. */
    function formHtml(type) {
        var operations = operationsOf(type);
        var rows = [];
        rows.push('<div class="form-row">' + labelHtml('node-input-server', ICONS.server, 'action.label.server', true) +
            '<input type="text" id="node-input-server" style="' + FIELD_WIDTH + '"></div>');
        rows.push('<div class="form-row">' + labelHtml('node-input-name', ICONS.name, 'action.label.name') +
            '<input type="text" id="node-input-name" style="' + FIELD_WIDTH + '"></div>');
        if (operations.length > 1) {
            var options = operations.concat([FROM_MSG]).map(function (operation) {
                return '<option value="' + escapeHtml(operation) + '">' + escapeHtml(nodeText(type, 'operation.' + operation)) + '</option>';
            });
            rows.push('<div class="form-row">' + labelHtml('node-input-operation', ICONS.operation, 'action.label.operation') +
                '<select id="node-input-operation" style="' + FIELD_WIDTH + '">' + options.join('') + '</select></div>');
        }
        rows.push('<div class="form-row gws-section"><b ' + i18n('action.label.parameters') + '></b></div>');
        paramsOf(operations).forEach(function (param) {
            var id = 'node-input-' + param;
            rows.push('<div class="form-row gws-param" data-gws-param="' + param + '">' +
                labelHtml(id, ICONS[param] || 'fa-angle-right', 'action.label.' + param, true) +
                '<input type="text" id="' + id + '" style="' + FIELD_WIDTH + '">' +
                '<input type="hidden" id="' + id + 'Type"></div>');
        });
        rows.push('<div class="form-tips gws-tip" ' + i18n('action.tip') + '></div>');
        if (operations.length > 1) {
            rows.push('<div class="form-tips gws-tip gws-tip-msg" ' + i18n('action.tipMsg') + '></div>');
        }
        rows.push('<div class="form-row gws-section"><b ' + i18n('action.label.options') + '></b></div>');
        rows.push('<div class="form-row">' + labelHtml('node-input-waitForAck', ICONS.waitForAck, 'action.label.waitForAck') +
            '<input type="checkbox" id="node-input-waitForAck" class="gws-checkbox">' +
            '<label for="node-input-waitForAck" class="gws-checkbox-text" ' + i18n('action.label.waitForAckText') + '></label></div>');
        rows.push('<div class="form-row">' + labelHtml('node-input-timeout', ICONS.timeout, 'action.label.timeout') +
            '<input type="text" id="node-input-timeout" style="' + FIELD_WIDTH + '"></div>');
        return '<div class="gws-form" data-gws-type="' + type + '">' + rows.join('\n') + '</div>';
    }

    /**
     * Fills the dialog template of an action node with its rows. Called from the node's editor file when it
     * registers the type (Node-RED has then put the template into the page), so that Node-RED fills, watches
     * and saves every field itself.
     */
    function form(type) {
        var template = $('script[data-template-name="' + type + '"]');
        if (!template.length) {
            report('no dialog template for ' + type);
            return;
        }
        template.text(formHtml(type));
    }

    /** The TypedInput types of a parameter; an enum's string type offers its values while typing. */
    function typesOf(param) {
        var spec = table().params[param];
        if (spec.kind === 'object') { return OBJECT_TYPES; }
        if (spec.kind !== 'enum') { return BASE_TYPES; }
        return BASE_TYPES.map(function (type) {
            if (type !== 'str') { return type; }
            return {
                value: 'str',
                label: RED._('typedInput.type.str'),
                icon: 'red/images/typedInput/az.svg',
                autoComplete: function (value) {
                    var lower = String(value || '').toLowerCase();
                    return spec.values.filter(function (allowed) { return allowed.toLowerCase().indexOf(lower) === 0; });
                }
            };
        });
    }

    /**
     * The placeholders of a parameter, longest first: where an empty field reads from (msg.payload.<name>, then
     * the server default or a new UUID), or what it takes (the allowed values, the accepted forms); for a narrow
     * field the same without the parameter's name, which the row's label already says.
     */
    function placeholdersOf(param, server) {
        var spec = table().params[param];
        var hint;
        if (spec.kind === 'enum') { hint = spec.values.join(' | '); }
        if (spec.kind === 'timestamp') { hint = t('action.placeholder.timestamp'); }
        if (spec.kind === 'callResult') { hint = t('action.placeholder.callResult'); }
        if (hint !== undefined) {
            return [t('action.placeholder.withHint', { param: param, hint: hint }), hint];
        }
        if (param === 'referenceId') {
            return [t('action.placeholder.referenceId', { param: param }), t('action.placeholder.referenceId', { param: '…' })];
        }
        if (spec.serverDefault) {
            var value = server && server[param] !== undefined && server[param] !== '' ? server[param] : t('action.placeholder.noDefault');
            return [
                t('action.placeholder.fromPayloadOrDefault', { param: param, value: value }),
                t('action.placeholder.fromPayloadOrDefault', { param: '…', value: value })
            ];
        }
        return [t('action.placeholder.fromPayload', { param: param })];
    }

    var canvas;
    /** The width of `text` in the font of `element`. */
    function textWidth(element, text) {
        canvas = canvas || document.createElement('canvas');
        var context = canvas.getContext('2d');
        var style = window.getComputedStyle(element);
        context.font = style.font || (style.fontSize + ' ' + style.fontFamily);
        return context.measureText(text).width;
    }

    /**
     * Shows the first of `texts` that fits as the placeholder of a field, else the last one cut with … to the
     * field's width; the first (whole) text is the field's tooltip.
     */
    function setPlaceholder(field, texts) {
        texts = [].concat(texts);
        var input = field.next('.red-ui-typedInput-container').find('input.red-ui-typedInput-input');
        var target = input.length ? input : field;
        field.attr('placeholder', texts[0]);
        target.attr('title', texts[0]);
        var element = target[0];
        if (!element) { return; }
        var style = window.getComputedStyle(element);
        var room = element.clientWidth - parseFloat(style.paddingLeft || 0) - parseFloat(style.paddingRight || 0) - 2;
        var fits = function (text) { return room <= 0 || textWidth(element, text) <= room; };
        var shown = texts.filter(fits)[0];
        if (shown === undefined) {
            var text = texts[texts.length - 1];
            var low = 0;
            var high = text.length;
            while (low < high) {
                var middle = Math.ceil((low + high) / 2);
                if (fits(text.slice(0, middle).replace(/\s+$/, '') + '…')) { low = middle; } else { high = middle - 1; }
            }
            shown = text.slice(0, low).replace(/\s+$/, '') + '…';
        }
        target.attr('placeholder', shown);
    }

    /** Placeholders of the parameters and the timeout, from the server node chosen in the dialog. */
    function showPlaceholders(type) {
        var server = RED.nodes.node($('#node-input-server').val());
        paramsOf(operationsOf(type)).forEach(function (param) {
            setPlaceholder($('#node-input-' + param), placeholdersOf(param, server));
        });
        var timeout = server && server.ackTimeout ? server.ackTimeout : 10000;
        setPlaceholder($('#node-input-timeout'), t('action.placeholder.timeout', { value: timeout }));
    }

    /** Shows the rows of the chosen operation with its required markers (all rows for msg.operation). */
    function showOperation(type) {
        var operations = operationsOf(type);
        var setting = operations.length > 1 ? $('#node-input-operation').val() : operations[0];
        var shown = operationsFor(type, setting);
        var params = paramsOf(shown);
        $('.gws-form[data-gws-type="' + type + '"] .gws-param').each(function () {
            var row = $(this);
            var param = row.attr('data-gws-param');
            row.toggle(params.indexOf(param) >= 0);
            row.find('.gws-required').toggle(required(shown, param));
        });
        $('.gws-form[data-gws-type="' + type + '"] .gws-tip-msg').toggle(setting === FROM_MSG);
    }

    /**
     * Shows the runtime's default for every property the node lacks (an older export, a hand-written flow,
     * the Admin API), so that saving an unchanged dialog keeps what the node does; checkboxes show what the
     * runtime makes of the value (true/false or "true"/"false"), selects with a value they do not offer
     * show their default.
     */
    function showDefaults(node, prefix) {
        var definitions = node._def && node._def.defaults ? node._def.defaults : {};
        Object.keys(definitions).forEach(function (property) {
            var definition = definitions[property];
            var field = $('#' + prefix + '-' + property);
            if (!field.length || definition.type) { return; }
            var value = node[property];
            var fallback = definition.value;
            var hasFallback = fallback !== undefined && fallback !== '';
            if (field.is(':checkbox')) {
                var on = fallback === true
                    ? !(value === false || value === 'false')
                    : value === true || value === 'true';
                field.prop('checked', on);
            } else if (field.is('select')) {
                // Nothing chosen: the node lacks the property or holds a value the select does not offer.
                if ((field.val() === null || field.val() === undefined) && hasFallback) { field.val(String(fallback)); }
            } else if ((value === undefined || value === null) && hasFallback) {
                field.val(String(fallback));
            }
        });
    }

    var STYLE = [
        '.gws-form .form-row > label.gws-label { width: var(--gws-label-width, 150px); white-space: nowrap; }',
        '.gws-form .form-row > input.gws-checkbox { display: inline-block; width: auto; vertical-align: top; margin-left: 0; }',
        // A config-node select keeps to its column even when its text is long ("Add new tls-config...").
        '.gws-form .form-row > div > select { min-width: 0; }',
        '.gws-form .form-row > label.gws-checkbox-text { width: calc(100% - var(--gws-label-width, 150px) - 48px); margin-left: 6px; vertical-align: top; }',
        '.gws-form .gws-section { margin-top: 14px; }',
        '.gws-form .gws-tip { margin-bottom: 12px; }',
        '.gws-form .gws-test-result.gws-ok { color: #3b8e3b; }',
        '.gws-form .gws-test-result.gws-failed { color: #c0392b; }'
    ].join('\n');

    function addStyle() {
        if (typeof document === 'undefined' || document.getElementById('gws-editor-style')) { return; }
        $('<style id="gws-editor-style"></style>').text(STYLE).appendTo('head');
    }

    /**
     * The label column of a dialog: as wide as its widest label (icon, text and required marker), so that
     * each label stays on one line whatever the language; the fields take the rest of the row.
     */
    function layout(container) {
        var formEl = $(container).closest('.gws-form');
        if (!formEl.length) { formEl = $(container).find('.gws-form').first(); }
        if (!formEl.length) { return; }
        // Node-RED translates the dialog only after oneditprepare: the labels must hold their text to be measured.
        if (formEl.i18n) { formEl.i18n(); }
        var probe = $('<span></span>').css({ position: 'absolute', visibility: 'hidden', whiteSpace: 'nowrap', left: '-10000px', top: 0 }).appendTo(formEl);
        var widest = 0;
        formEl.find('label.gws-label').each(function () {
            probe.html(this.innerHTML);
            probe.find('.gws-required').css('display', 'inline');
            widest = Math.max(widest, probe[0].getBoundingClientRect().width);
        });
        probe.remove();
        if (widest > 0) {
            var width = Math.ceil(Math.min(Math.max(widest + 6, 100), 260));
            formEl[0].style.setProperty('--gws-label-width', width + 'px');
        }
    }

    /** oneditprepare of an action node. */
    function prepare(node, type) {
        var select = $('#node-input-operation');
        var setting = node.operation;
        if (select.length && setting !== undefined && setting !== null && setting !== '' &&
            select.find('option').filter(function () { return this.value === String(setting); }).length === 0) {
            // An operation the node does not offer (a hand-written flow): shown as it is and marked invalid,
            // as every message fails until another is chosen; it is not silently replaced.
            $('<option></option>').val(String(setting)).text(String(setting)).appendTo(select);
            select.val(String(setting));
        }
        showDefaults(node, 'node-input');
        layout($('#node-input-server'));
        paramsOf(operationsOf(type)).forEach(function (param) {
            $('#node-input-' + param).typedInput({
                default: $('#node-input-' + param + 'Type').val() || 'str',
                types: typesOf(param),
                typeField: '#node-input-' + param + 'Type'
            });
        });
        showOperation(type);
        showPlaceholders(type);
        $('#node-input-operation').on('change', function () {
            showOperation(type);
            showPlaceholders(type);
        });
        $('#node-input-server').on('change', function () { showPlaceholders(type); });
    }

    /** oneditresize of an action node: the fields changed width, the placeholders are cut anew. */
    function resize(node, type) {
        showPlaceholders(type);
    }

    addStyle();

    window.GwsEditor = {
        FIELD_WIDTH: FIELD_WIDTH,
        defaults: defaults,
        form: form,
        label: label,
        prepare: prepare,
        resize: resize,
        layout: layout,
        showDefaults: showDefaults,
        setPlaceholder: setPlaceholder,
        check: check,
        checkTimeout: checkTimeout,
        paramsOf: paramsOf,
        operationsOf: operationsOf,
        operationsFor: operationsFor,
        required: required
    };
})();
