package io.unitcell.router.proxy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** epoll on Linux (netty-transport-native-epoll), the JDK selector elsewhere. */
record Transport(
    String name,
    EventLoopGroup group,
    Class<? extends ServerChannel> serverChannel,
    Class<? extends SocketChannel> channel) {

  boolean isEpoll() {
    return serverChannel == EpollServerSocketChannel.class;
  }

  static Transport create(int loops) {
    DefaultThreadFactory threads = new DefaultThreadFactory("router-loop", true);
    if (Epoll.isAvailable()) {
      return new Transport(
          "epoll",
          new EpollEventLoopGroup(loops, threads),
          EpollServerSocketChannel.class,
          EpollSocketChannel.class);
    }
    return new Transport(
        "nio (epoll unavailable: " + Epoll.unavailabilityCause() + ")",
        new NioEventLoopGroup(loops, threads),
        NioServerSocketChannel.class,
        NioSocketChannel.class);
  }
}
