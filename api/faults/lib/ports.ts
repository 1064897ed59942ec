// A port nothing listens on right now, chosen by the kernel (listen on 0, read it,
// close). PostgreSQL and Redis need a fixed port: Redis is restarted on the same one.
import net from 'node:net';

export function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
