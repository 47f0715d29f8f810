/*
 * Editor code shared by the gws action nodes: TypedInputs for the request parameters, checks of
 * literal values, placeholders that show the server node's defaults, and node labels.
 * Loaded by the nodes' editor files from resources/node-red-contrib-gws-outbound/.
 */
/* global RED, $ */
(function () {
    'use strict';
    var NS = 'node-red-contrib-gws-outbound/gws-server:';
    var TYPES = ['msg', 'flow', 'global', 'str', 'num', 'env', 'jsonata'];
    var DEFAULTED = ['devicePath', 'applicationId', 'campaignName'];
    var DEVICE_PATH = /^\/devices\/[A-Za-z0-9._~:@-]+$/;

    function t(key, params) {
        return RED._(NS + key, params);
    }

    function literal(type) {
        return !type || type === 'str' || type === 'num';
    }

    /** Checks of a literal value; values from msg, context or expressions are checked when a message comes. */
    var CHECKS = {
        applicationId: function (value) { return /^\s*\d+\s*$/.test(value) || t('action.validation.applicationId'); },
        devicePath: function (value) { return DEVICE_PATH.test(value) || t('action.validation.devicePath'); },
        recordHandle: function (value) { return (value !== '.' && value !== '..') || t('action.validation.recordHandle'); }
    };

    /** validate() for a parameter: literal values are checked, others pass (they are checked per message). */
    function check(param) {
        var test = CHECKS[param];
        return function (value, opt) {
            if (value === '' || value === undefined || value === null || !test) { return true; }
            var field = $('#node-input-' + param + 'Type');
            var type = field.length ? field.val() : this[param + 'Type'];
            if (!literal(type)) { return true; }
            var result = test(String(value));
            // Node-RED shows a string returned by a two-argument validator as the reason.
            return result;
        };
    }

    function checkTimeout(value, opt) {
        var ok = value === '' || value === undefined || /^\s*\d+\s*$/.test(value);
        return ok || t('action.validation.timeout');
    }

    function source(node) {
        var value = node.recordHandle;
        var type = node.recordHandleType || 'str';
        if (value === undefined || value === '') { return 'msg.payload.recordHandle'; }
        if (literal(type)) { return String(value); }
        if (type === 'jsonata') { return 'J: ' + value; }
        if (type === 'env') { return '${' + value + '}'; }
        return type + '.' + value;
    }

    /** A TypedInput copies the placeholder only when it is built: set it on the visible field too. */
    function setPlaceholder(input, text) {
        input.attr('placeholder', text).attr('title', text);
        input.next('.red-ui-typedInput-container').find('input.red-ui-typedInput-input').attr('placeholder', text).attr('title', text);
    }

    /** Placeholders: empty fields read msg.payload.<name>, and some then the server's default. */
    function showDefaults(params) {
        var server = RED.nodes.node($('#node-input-server').val());
        params.forEach(function (param) {
            var input = $('#node-input-' + param);
            var text;
            if (param === 'referenceId') {
                text = t('action.placeholder.referenceId');
            } else if (param === 'callResult') {
                text = t('action.placeholder.callResult');
            } else if (DEFAULTED.indexOf(param) >= 0) {
                var value = server && server[param] !== undefined && server[param] !== '' ? server[param] : t('action.placeholder.noDefault');
                text = t('action.placeholder.fromPayloadOrDefault', { param: param, value: value });
            } else {
                text = t('action.placeholder.fromPayload', { param: param });
            }
            setPlaceholder(input, text);
        });
        var timeout = server && server.ackTimeout ? server.ackTimeout : 10000;
        $('#node-input-timeout').attr('placeholder', t('action.placeholder.timeout', { value: timeout }));
    }

    /** Node label: the name, else the operation and where the record handle comes from. */
    function label(operation) {
        return function () { return this.name || operation + ' ' + source(this); };
    }

    /** oneditprepare of an action node: one TypedInput per parameter, placeholders from the server node. */
    function prepare(node, params) {
        params.forEach(function (param) {
            $('#node-input-' + param).typedInput({
                default: node[param + 'Type'] || 'str',
                types: TYPES,
                typeField: '#node-input-' + param + 'Type'
            });
        });
        showDefaults(params);
        $('#node-input-server').on('change', function () { showDefaults(params); });
    }

    window.GwsEditor = { check: check, checkTimeout: checkTimeout, label: label, prepare: prepare };
})();
