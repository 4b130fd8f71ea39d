package io.unitcell.router.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.socket.SocketChannel;
import io.unitcell.router.upstream.Endpoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Keep-alive connections from one event loop to one endpoint: idle ones are reused last-in first
 * out (the warmest), at most {@code pool-size} are open, and requests beyond that wait in a bounded
 * queue (beyond it: {@code busy}).
 */
final class EndpointPool {

  private static final int MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
  private static final long IDLE_NANOS = 30_000_000_000L;

  private final Loop loop;
  private final Endpoint endpoint;
  private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
  private final List<UpstreamConnection> open = new ArrayList<>();
  private final ArrayDeque<Exchange> waiting = new ArrayDeque<>();
  private int connecting;

  EndpointPool(Loop loop, Endpoint endpoint) {
    this.loop = loop;
    this.endpoint = endpoint;
  }

  Endpoint endpoint() {
    return endpoint;
  }

  boolean isEmpty() {
    return open.isEmpty() && connecting == 0 && waiting.isEmpty();
  }

  /** Sends {@code exchange} on a pooled connection, a new one, or after one frees up. */
  void send(Exchange exchange) {
    UpstreamConnection connection;
    while ((connection = idle.pollLast()) != null) {
      if (connection.isOpen()) {
        connection.send(exchange);
        return;
      }
    }
    if (open.size() + connecting < loop.proxy.poolSize) {
      connect(exchange);
    } else if (waiting.size() < loop.proxy.waitQueue) {
      exchange.waitingSince = System.nanoTime();
      waiting.add(exchange);
    } else {
      exchange.onUpstreamFailure(endpoint, Exchange.Failure.BUSY);
    }
  }

  private void connect(Exchange exchange) {
    connecting++;
    CellResponseDecoder decoder = new CellResponseDecoder(MAX_RESPONSE_BYTES);
    UpstreamConnection connection = new UpstreamConnection(this, decoder);
    Bootstrap bootstrap = new Bootstrap();
    if (loop.transport.isEpoll()) {
      bootstrap.option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED); // see NettyProxy
    }
    ChannelFuture connected =
        bootstrap
            .group(loop.eventLoop)
            .channel(loop.transport.channel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, loop.proxy.connectTimeoutMillis)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    // no codec: requests are written as bytes (Exchange.writeUpstream), answers
                    // read as bytes, their heads forwarded without being decoded and encoded again
                    channel.pipeline().addLast(decoder).addLast(connection);
                  }
                })
            .connect(endpoint.host(), endpoint.port());
    connected.addListener(
        done -> {
          connecting--;
          if (done.isSuccess()) {
            open.add(connection);
            connection.send(exchange);
          } else {
            exchange.onUpstreamFailure(endpoint, Exchange.Failure.CONNECT);
            serveWaiting();
          }
        });
  }

  /** A connection finished its request and may be reused. */
  void release(UpstreamConnection connection) {
    Exchange next = waiting.poll();
    if (next != null) {
      connection.send(next);
    } else {
      idle.addLast(connection);
    }
  }

  /** A connection closed (by either side). */
  void closed(UpstreamConnection connection) {
    open.remove(connection);
    idle.remove(connection);
    serveWaiting();
  }

  private void serveWaiting() {
    if (!waiting.isEmpty() && open.size() + connecting < loop.proxy.poolSize) {
      connect(waiting.poll());
    }
  }

  /** Time-outs of requests in flight or waiting, and connections idle for too long. */
  void sweep(long now) {
    long budget = loop.proxy.upstreamTimeoutNanos;
    for (int i = open.size() - 1; i >= 0; i--) {
      UpstreamConnection connection = open.get(i);
      connection.timeOutIfLate(now, budget);
    }
    for (Iterator<UpstreamConnection> it = idle.iterator(); it.hasNext(); ) {
      UpstreamConnection connection = it.next();
      if (now - connection.idleSince() > IDLE_NANOS) {
        it.remove();
        connection.close();
      }
    }
    while (!waiting.isEmpty() && now - waiting.peek().waitingSince > budget) {
      waiting.poll().onUpstreamFailure(endpoint, Exchange.Failure.TIMEOUT);
    }
  }
}
