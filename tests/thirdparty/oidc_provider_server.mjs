// oidc-provider (panva) on 127.0.0.1, configuration only; started and stopped by node_servers.py.
//
// Everything protocol-shaped is oidc-provider's own: discovery (/.well-known/openid-configuration),
// the token endpoint with the client_credentials grant, RFC 7009 revocation and RFC 7662
// introspection, client authentication. What this file adds is what a deployer configures: two
// confidential clients (from $THIRDPARTY_CONFIG) and the three features switched on. The defaults
// stay as shipped (in-memory adapter, development keys, the default revocation allowedPolicy).
// Prints "listening <issuer>" once bound; exits after argv[2] seconds at the latest.
import http from 'node:http';
import Provider from 'oidc-provider';

const lifetime = Number(process.argv[2] || '300');
const config = JSON.parse(process.env.THIRDPARTY_CONFIG);
const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: config.clients.map(([id, secret, method]) => ({
      client_id: id,
      client_secret: secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: method,
    })),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
    },
  });
  server.on('request', provider.callback());
  console.log(`listening ${issuer}`);
});
setTimeout(() => process.exit(0), lifetime * 1000).unref();
