'use strict'

// The provider executable's "undici" (scripts/build.mjs, issue 14): what @keyward/client's
// transport takes from undici, `request` with the global dispatcher, built from undici's own lib
// files exactly as its index.js builds it. Loading the whole index costs a launch about three
// times as much, and its cookie code reads `globalThis.Headers`, which makes Node load its own
// copy of undici as well; neither the web (fetch, cookies, WebSocket), mock, cache nor proxy code
// is reached from here. The executable bundles the installed undici, so these paths are pinned
// with it; undici-request.test.ts checks them and this copy of makeDispatcher against index.js.

const Dispatcher = require('undici/lib/dispatcher/dispatcher')
const errors = require('undici/lib/core/errors')
const util = require('undici/lib/core/util')
const { InvalidArgumentError } = errors
const api = require('undici/lib/api')
const { getGlobalDispatcher, setGlobalDispatcher } = require('undici/lib/global')

Object.assign(Dispatcher.prototype, api)

// Copied from undici's index.js, unchanged.
function makeDispatcher (fn) {
  return (url, opts, handler) => {
    if (typeof opts === 'function') {
      handler = opts
      opts = null
    }

    if (!url || (typeof url !== 'string' && typeof url !== 'object' && !(url instanceof URL))) {
      throw new InvalidArgumentError('invalid url')
    }

    if (opts != null && typeof opts !== 'object') {
      throw new InvalidArgumentError('invalid opts')
    }

    if (opts && opts.path != null) {
      if (typeof opts.path !== 'string') {
        throw new InvalidArgumentError('invalid opts.path')
      }

      let path = opts.path
      if (!opts.path.startsWith('/')) {
        path = `/${path}`
      }

      url = new URL(util.parseOrigin(url).origin + path)
    } else {
      if (!opts) {
        opts = typeof url === 'object' ? url : {}
      }

      url = util.parseURL(url)
    }

    const { agent, dispatcher = getGlobalDispatcher() } = opts

    if (agent) {
      throw new InvalidArgumentError('unsupported opts.agent. Did you mean opts.client?')
    }

    return fn.call(dispatcher, {
      ...opts,
      origin: url.origin,
      path: url.search ? `${url.pathname}${url.search}` : url.pathname,
      method: opts.method || (opts.body ? 'PUT' : 'GET')
    }, handler)
  }
}

module.exports.Dispatcher = Dispatcher
module.exports.errors = errors
module.exports.request = makeDispatcher(api.request)
module.exports.setGlobalDispatcher = setGlobalDispatcher
module.exports.getGlobalDispatcher = getGlobalDispatcher
