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

    function parameterDefaults(params) {
        var defaults = {};
        params.forEach(function (param) {
            var check = CHECKS[param];
            defaults[param] = {
                value: '',
                validate: function (value, opt) {
                    if (value === '' || value === undefined || !check) { return true; }
                    var type = $('#node-input-' + param + 'Type').length ? $('#node-input-' + param + 'Type').val() : this[param + 'Type'];
                    if (!literal(type)) { return true; }
                    var result = check(String(value));
                    return opt && opt.type === 'validation' ? result : result === true;
                }
            };
            defaults[param + 'Type'] = { value: 'str' };
        });
        return defaults;
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

    /** Placeholders: empty fields read msg.payload.<name>, and some then the server's default. */
    function showDefaults(params) {
        var server = RED.nodes.node($('#node-input-server').val());
        params.forEach(function (param) {
            var input = $('#node-input-' + param);
            var text;
            if (param === 'referenceId') {
                text = t('action.placeholder.referenceId');
            } else if (DEFAULTED.indexOf(param) >= 0) {
                var value = server && server[param] !== undefined && server[param] !== '' ? server[param] : t('action.placeholder.noDefault');
                text = t('action.placeholder.fromPayloadOrDefault', { param: param, value: value });
            } else {
                text = t('action.placeholder.fromPayload', { param: param });
            }
            input.attr('placeholder', text);
        });
        var timeout = server && server.ackTimeout ? server.ackTimeout : 10000;
        $('#node-input-timeout').attr('placeholder', t('action.placeholder.timeout', { value: timeout }));
    }

    function actionNode(options) {
        var params = options.params;
        var defaults = {
            name: { value: '' },
            server: { value: '', type: 'gws-server', required: true },
            waitForAck: { value: true },
            timeout: {
                value: '',
                validate: function (value, opt) {
                    var ok = value === '' || value === undefined || (/^\s*\d+\s*$/.test(value));
                    return ok || (opt && opt.type === 'validation' ? t('action.validation.timeout') : false);
                }
            }
        };
        $.extend(defaults, parameterDefaults(params));
        return {
            category: 'Genesys',
            color: '#FFA07A',
            defaults: defaults,
            inputs: 1,
            outputs: 1,
            icon: options.icon,
            align: 'left',
            paletteLabel: function () { return this._(options.type + '.paletteLabel'); },
            label: function () { return this.name || options.operation + ' ' + source(this); },
            labelStyle: function () { return this.name ? 'node_label_italic' : ''; },
            inputLabels: function () { return this._(options.type + '.inputLabel'); },
            outputLabels: function () { return this._(options.type + '.outputLabel'); },
            oneditprepare: function () {
                var node = this;
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
        };
    }

    window.GwsEditor = { actionNode: actionNode, DEVICE_PATH: DEVICE_PATH };
})();
