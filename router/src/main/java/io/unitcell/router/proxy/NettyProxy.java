package io.unitcell.router.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's network side, on Netty directly: a group of event loops, one listening socket, and
 * per connection HTTP/1.1 request decoding and aggregation (bodies are small and bounded) into a
 * {@link ClientConnection}; answers are written as bytes. Each loop keeps its own keep-alive pools
 * to the cells ({@link Loop}), so a request is handled on one thread from the first byte to the
 * last, without locks.
 */
public final class NettyProxy implements AutoCloseable {

  private static final int MAX_INITIAL_LINE = 8 * 1024;
  private static final int MAX_HEADERS = 16 * 1024;
  private static final int IDLE_CLIENT_SECONDS = 60;

  private final Proxy proxy;
  private final Transport transport;
  private Channel server;

  public NettyProxy(Proxy proxy, int loops) {
    this.proxy = proxy;
    this.transport = Transport.create(loops);
  }

  /** Binds the port (blocking until bound). */
  public void start() throws InterruptedException {
    int maxBody = (int) Math.min(Integer.MAX_VALUE, proxy.maxBody);
    ServerBootstrap bootstrap = new ServerBootstrap();
    if (transport.isEpoll()) {
      // level-triggered: a read that fills less than its buffer ends the read; edge-triggered
      // reads once more (EAGAIN) after every request
      bootstrap.childOption(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
    }
    server =
        bootstrap
            .group(transport.group())
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    channel
                        .pipeline()
                        .addLast(new IdleStateHandler(IDLE_CLIENT_SECONDS, 0, 0, TimeUnit.SECONDS))
                        // no encoder: answers go out as bytes (the cells' heads are not re-encoded)
                        .addLast(
                            new HttpRequestDecoder(
                                new HttpDecoderConfig()
                                    .setMaxInitialLineLength(MAX_INITIAL_LINE)
                                    .setMaxHeaderSize(MAX_HEADERS)))
                        .addLast(new WholeMessages(maxBody, proxy))
                        .addLast(
                            new ClientConnection(
                                proxy, Loop.of(channel.eventLoop(), proxy, transport)));
                  }
                })
            .bind(proxy.config.host(), proxy.config.port())
            .sync()
            .channel();
  }

  public String transportName() {
    return transport.name();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    transport.group().shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
