// @jmondi/oauth2-server on 127.0.0.1; started and stopped by node_servers.py.
//
// Everything protocol-shaped is the library's own: AuthorizationServer's token endpoint
// (client_credentials, password, refresh_token), revoke() (RFC 7009) and introspect() (RFC 7662),
// client authentication, and the HTTP glue of its "vanilla" adapter (requestFromVanilla parses the
// body, responseToVanilla and handleVanillaError write the answer). What this file adds is what
// the library leaves to its user: in-memory repositories for two clients and one user (from
// $THIRDPARTY_CONFIG) and their tokens, written as the library's own in-memory test repository
// does (a revoked grant's access and refresh token expire together), and a node:http server
// that hands each request to the adapter. No RFC 8414 metadata: the library publishes none.
// Prints "listening <base URL>" once bound; exits after argv[2] seconds at the latest.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { AuthorizationServer, DateInterval } from '@jmondi/oauth2-server';
import { handleVanillaError, requestFromVanilla, responseToVanilla } from '@jmondi/oauth2-server/vanilla';

const lifetime = Number(process.argv[2] || '300');
const config = JSON.parse(process.env.THIRDPARTY_CONFIG);
const GRANTS = ['client_credentials', 'password', 'refresh_token'];
const SCOPES = [{ name: 'read' }, { name: 'offline_access' }];
const clients = new Map(config.clients.map(([id, secret]) => [
  id, { id, name: id, secret, redirectUris: [], allowedGrants: GRANTS, scopes: SCOPES },
]));
const [username, password] = config.user;
const tokens = new Map(); // access token id (the JWT's jti) -> OAuthToken, one grant each
const opaque = () => randomBytes(24).toString('base64url');

const clientRepository = {
  async getByIdentifier(id) {
    if (!clients.has(id)) throw new Error('unknown client');
    return clients.get(id);
  },
  async isClientValid(grantType, client, secret) {
    return client.allowedGrants.includes(grantType) && client.secret === secret;
  },
};
const scopeRepository = {
  async getAllByIdentifiers(names) { return SCOPES.filter((scope) => names.includes(scope.name)); },
  async finalize(scopes) { return scopes; },
};
const userRepository = {
  async getUserByCredentials(name, secret) {
    return name === username && secret === password ? { id: username } : undefined;
  },
};
const tokenRepository = {
  async issueToken(client, scopes, user) {
    return {
      accessToken: opaque(), accessTokenExpiresAt: new DateInterval('1h').getEndDate(),
      refreshToken: null, refreshTokenExpiresAt: null, client, user, scopes,
    };
  },
  async issueRefreshToken(token) {
    token.refreshToken = opaque();
    token.refreshTokenExpiresAt = new DateInterval('1h').getEndDate();
    tokens.set(token.accessToken, token);
    return token;
  },
  async persist(token) { tokens.set(token.accessToken, token); },
  async revoke(token) {
    token.accessTokenExpiresAt = new Date(0);
    token.refreshTokenExpiresAt = new Date(0);
  },
  async isRefreshTokenRevoked(token) { return Date.now() > (token.refreshTokenExpiresAt?.getTime() ?? 0); },
  async getByRefreshToken(value) {
    for (const token of tokens.values()) if (token.refreshToken === value) return token;
    throw new Error('refresh token not found');
  },
  async getByAccessToken(value) {
    if (!tokens.has(value)) throw new Error('access token not found');
    return tokens.get(value);
  },
};

const authorization = new AuthorizationServer(
  clientRepository, tokenRepository, scopeRepository, randomBytes(32).toString('hex'),
);
authorization.enableGrantTypes('client_credentials', { grant: 'password', userRepository }, 'refresh_token');
// The paths of the library's documentation.
const ROUTES = {
  '/token': (request) => authorization.respondToAccessTokenRequest(request),
  '/token/revoke': (request) => authorization.revoke(request),
  '/token/introspect': (request) => authorization.introspect(request),
};

const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const url = `http://127.0.0.1:${server.address().port}${req.url}`;
  const route = ROUTES[new URL(url).pathname];
  if (!route || req.method !== 'POST') {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  let answer;
  try {
    const request = new Request(url, { method: 'POST', headers: req.headers, body: Buffer.concat(chunks) });
    answer = responseToVanilla(await route(await requestFromVanilla(request)));
  } catch (error) {
    answer = responseToVanilla(handleVanillaError(error));
  }
  res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(Buffer.from(await answer.arrayBuffer()));
});
server.listen(0, '127.0.0.1', () => console.log(`listening http://127.0.0.1:${server.address().port}`));
setTimeout(() => process.exit(0), lifetime * 1000).unref();
