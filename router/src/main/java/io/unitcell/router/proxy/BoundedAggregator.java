package io.unitcell.router.proxy;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/** Whole requests of at most {@code max} body bytes; a larger one gets the router's JSON 413. */
final class BoundedAggregator extends HttpObjectAggregator {

  private final Proxy proxy;
  private final int max;

  BoundedAggregator(int max, Proxy proxy) {
    super(max);
    this.max = max;
    this.proxy = proxy;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    proxy.metrics.rejected(RouterMetrics.NO_CELL, "too_large");
    // the rest of the body is not read: the connection closes after the answer
    ctx.writeAndFlush(
            Responses.error(413, "request body is larger than " + max + " bytes", 0, null, false))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
