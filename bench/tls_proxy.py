"""A TLS front for a plaintext gRPC server, for bench/jar-check.sh: proves that the production jar's gRPC reaches
Temporal over TLS (TEMPORAL_TLS) with the TLS stack the jar carries.

    python3 bench/tls_proxy.py LISTEN_PORT TARGET_PORT CERT KEY

Listens on 127.0.0.1:LISTEN_PORT with CERT/KEY, offers ALPN h2 (gRPC requires it), forwards every connection's
bytes to 127.0.0.1:TARGET_PORT, and prints one line per completed handshake ("tls handshake: TLSv1.3 h2").
"""

import asyncio
import ssl
import sys


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main(listen_port, target_port, cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["h2"])

    async def handle(client_reader, client_writer):
        tls = client_writer.get_extra_info("ssl_object")
        print(f"tls handshake: {tls.version()} {tls.selected_alpn_protocol()}", flush=True)
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port, ssl=ctx)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]))
