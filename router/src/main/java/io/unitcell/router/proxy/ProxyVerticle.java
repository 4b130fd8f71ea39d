package io.unitcell.router.proxy;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;

/**
 * One event loop of the proxy: a server sharing the port with the other loops (Vert.x spreads
 * connections over them) and its own client, whose keep-alive connections to the cells live on this
 * loop, so a request never changes threads.
 */
public final class ProxyVerticle extends AbstractVerticle {

  private final Proxy proxy;
  private HttpClient client;

  public ProxyVerticle(Proxy proxy) {
    this.proxy = proxy;
  }

  @Override
  public void start(Promise<Void> started) {
    var upstream = proxy.config.upstream();
    client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setName("unitcell-cells")
                .setKeepAlive(true)
                .setKeepAliveTimeout(30)
                .setPipelining(false)
                .setTcpNoDelay(true)
                .setDecompressionSupported(false)
                .setConnectTimeout((int) upstream.connectTimeout().toMillis()),
            new PoolOptions()
                .setHttp1MaxSize(upstream.poolSize())
                .setMaxWaitQueueSize(upstream.waitQueue()));
    vertx
        .createHttpServer(
            new HttpServerOptions()
                .setHost(proxy.config.host())
                .setPort(proxy.config.port())
                .setTcpNoDelay(true)
                .setIdleTimeout(60)
                .setCompressionSupported(false)
                .setHandle100ContinueAutomatically(true)
                .setMaxHeaderSize(16 * 1024))
        .requestHandler(request -> new Exchange(proxy, this, request).start())
        .listen()
        .<Void>mapEmpty()
        .onComplete(started);
  }

  HttpClient client() {
    return client;
  }

  Context context() {
    return context;
  }
}
