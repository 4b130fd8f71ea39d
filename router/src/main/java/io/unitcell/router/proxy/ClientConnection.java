package io.unitcell.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.unitcell.router.metrics.RouterMetrics;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * One client connection. Requests are answered in the order they came (HTTP/1.1 pipelining): one
 * exchange at a time, the others wait here.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {

  /** Pipelined requests waiting at most on one connection; a client sending more is cut off. */
  static final int MAX_PIPELINED = 32;

  final Proxy proxy;
  final Loop loop;
  private Channel channel;
  private String clientIp;
  private Exchange current;
  private ArrayDeque<FullHttpRequest> pipelined;

  ClientConnection(Proxy proxy, Loop loop) {
    this.proxy = proxy;
    this.loop = loop;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    clientIp = ((InetSocketAddress) channel.remoteAddress()).getAddress().getHostAddress();
    ctx.fireChannelActive();
  }

  String clientIp() {
    return clientIp;
  }

  ByteBufAllocator alloc() {
    return channel.alloc();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (request.decoderResult().isFailure()) {
      request.release();
      proxy.metrics.rejected(RouterMetrics.NO_CELL, "malformed");
      ByteBuf answer =
          Responses.encode(
              channel.alloc(),
              Responses.error(
                  400,
                  "malformed request: " + request.decoderResult().cause().getMessage(),
                  0,
                  null,
                  false),
              false);
      channel.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    if (current == null) {
      begin(request);
    } else {
      if (pipelined == null) {
        pipelined = new ArrayDeque<>();
      }
      if (pipelined.size() >= MAX_PIPELINED) {
        request.release();
        proxy.metrics.rejected(RouterMetrics.NO_CELL, "pipelined_too_deep");
        ctx.close();
        return;
      }
      pipelined.add(request);
    }
  }

  private void begin(FullHttpRequest request) {
    current = new Exchange(proxy, this, request);
    current.start();
  }

  /**
   * The answer to {@code exchange}, as bytes: {@code answer}, then {@code rest} unless null (a
   * larger body); the next pipelined request starts.
   */
  void finish(Exchange exchange, ByteBuf answer, ByteBuf rest, boolean keepAlive) {
    if (exchange != current || !channel.isActive()) {
      answer.release();
      if (rest != null) {
        rest.release();
      }
      return;
    }
    current = null;
    if (rest != null) {
      channel.write(answer, channel.voidPromise());
      answer = rest;
    }
    if (!keepAlive) {
      channel.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    channel.writeAndFlush(answer, channel.voidPromise());
    FullHttpRequest next = pipelined == null ? null : pipelined.poll();
    if (next != null) {
      begin(next);
    }
  }

  /** Closes the connection without an answer (the exchange can not be answered sensibly). */
  void abort(Exchange exchange) {
    if (exchange == current) {
      current = null;
      channel.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Exchange exchange = current;
    current = null;
    if (exchange != null) {
      exchange.clientGone();
    }
    if (pipelined != null) {
      pipelined.forEach(ReferenceCountUtil::release);
      pipelined.clear();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
