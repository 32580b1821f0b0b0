'use strict'

// The provider executable's "undici" (scripts/build.mjs, issue 14): what @keyward/client's
// transport takes from undici, `request` with the global dispatcher, built on undici's own lib
// files as its index.js builds it. Loading the whole index costs a launch about three
// times as much, and its cookie code reads `globalThis.Headers`, which makes Node load its own
// copy of undici as well; neither the web (fetch, cookies, WebSocket), mock, cache nor proxy code
// is reached from here. The executable bundles the installed undici, so these paths are pinned
// with it; undici-request.test.ts checks them, and that this request behaves as undici's does.

const Dispatcher = require('undici/lib/dispatcher/dispatcher')
const util = require('undici/lib/core/util')
const api = require('undici/lib/api')
const { getGlobalDispatcher } = require('undici/lib/global')

Object.assign(Dispatcher.prototype, api)

// `request(url, options)` for what the client's transport passes (a URL, and options that may name
// a dispatcher): the URL read by undici's own parser, so a bad one fails as undici's request fails,
// and the call made on the dispatcher through the api that undici's index adds to every dispatcher.
function request (url, options = {}) {
  const { origin, pathname, search } = util.parseURL(url)
  const { dispatcher = getGlobalDispatcher() } = options
  return api.request.call(dispatcher, { ...options, origin, path: `${pathname}${search}`, method: options.method || 'GET' })
}

// `request` is all the transport takes; the global dispatcher is exported for the test to compare.
module.exports.request = request
module.exports.getGlobalDispatcher = getGlobalDispatcher
