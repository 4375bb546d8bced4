// The self-hosted GraphiQL: its code and styles come from the npm packages (graphiql, @graphiql/plugin-explorer),
// built by Vite into dist/ and served by the API server at /graphql; nothing is loaded from a CDN.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { useState } from 'react';
import { createRoot } from 'react-dom/client';

const TOKEN_KEY = 'yxg.graphiql.token';
const endpoint = `${location.origin}/graphql`;
const base = createGraphiQLFetcher({ url: endpoint, subscriptionUrl: endpoint.replace(/^http/, 'ws') });

// The dev login's token goes on every request that has no Authorization of its own (the headers editor wins).
const fetcher: typeof base = (params, options) => {
  const token = localStorage.getItem(TOKEN_KEY);
  const headers = { ...(options?.headers ?? {}) } as Record<string, string>;
  if (token && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) headers.Authorization = `Bearer ${token}`;
  return base(params, { ...options, headers });
};

function DevLogin() {
  const [who, setWho] = useState(() => localStorage.getItem(`${TOKEN_KEY}.who`));
  const [error, setError] = useState<string | null>(null);
  async function login() {
    const nickname = '小明'; // a demo user (make run seeds them)
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'mutation($n: String!) { devLogin(input: {nickname: $n}) { accessToken errors { message } } }', variables: { n: nickname } }),
    });
    const payload = (await response.json())?.data?.devLogin;
    if (!payload?.accessToken) return setError(payload?.errors?.[0]?.message ?? 'devLogin 失败 (DEV_LOGIN=1?)');
    localStorage.setItem(TOKEN_KEY, payload.accessToken);
    localStorage.setItem(`${TOKEN_KEY}.who`, nickname);
    setWho(nickname);
    setError(null);
  }
  function logout() {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(`${TOKEN_KEY}.who`);
    setWho(null);
  }
  return (
    <button type="button" className="graphiql-toolbar-button" style={{ width: 'auto', padding: '0 6px', fontSize: 12 }} onClick={who ? logout : login} title={error ?? 'devLogin as a demo user; the token goes on every request'} aria-label="dev login">
      {who ? `已登录 ${who} · 退出` : error ? '登录失败' : '开发登录'}
    </button>
  );
}

const plugins = [explorerPlugin()];
createRoot(document.getElementById('graphiql')!).render(
  <GraphiQL fetcher={fetcher} plugins={plugins} defaultEditorToolsVisibility="headers">
    <GraphiQL.Toolbar>
      {({ prettify, copy, merge }) => (
        <>
          {prettify}
          {merge}
          {copy}
          <DevLogin />
        </>
      )}
    </GraphiQL.Toolbar>
    <GraphiQL.Logo>友享购 GraphiQL</GraphiQL.Logo>
  </GraphiQL>,
);
