package io.unitcell.router.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BlockListTest {

  final BlockList blocks = new BlockList();

  @Test
  void exactAddressesAndRangesOfBothFamilies() {
    assertThat(blocks.isIpBlocked("10.1.2.3")).isFalse();
    blocks.blockIp("10.0.0.0/8");
    blocks.blockIp("192.168.1.7");
    blocks.blockIp("2001:db8::/32");
    blocks.blockIp("172.16.0.0/12");

    assertThat(blocks.isIpBlocked("10.1.2.3")).isTrue();
    assertThat(blocks.isIpBlocked("11.0.0.1")).isFalse();
    assertThat(blocks.isIpBlocked("192.168.1.7")).isTrue();
    assertThat(blocks.isIpBlocked("192.168.1.8")).isFalse();
    assertThat(blocks.isIpBlocked("172.31.255.255")).isTrue();
    assertThat(blocks.isIpBlocked("172.32.0.0")).isFalse();
    assertThat(blocks.isIpBlocked("2001:db8:0:0:0:0:0:1")).isTrue();
    assertThat(blocks.isIpBlocked("2001:db9:0:0:0:0:0:1")).isFalse();
    assertThat(blocks.ips())
        .containsExactly("192.168.1.7", "10.0.0.0/8", "2001:db8:0:0:0:0:0:0/32", "172.16.0.0/12");

    assertThat(blocks.unblockIp("10.0.0.0/8")).isTrue();
    assertThat(blocks.isIpBlocked("10.1.2.3")).isFalse();
  }

  @Test
  void refusesWhatIsNotAnAddressWithoutLookingItUp() {
    assertThatThrownBy(() -> blocks.blockIp("example.com"))
        .hasMessageContaining("not an IP address");
    assertThatThrownBy(() -> blocks.blockIp("10.0.0.0/33"))
        .hasMessageContaining("prefix must be 0-32");
    assertThatThrownBy(() -> blocks.blockIp("10.0.0.0/x")).hasMessageContaining("no prefix length");
  }

  @Test
  void users() {
    blocks.blockUser("mallory");
    assertThat(blocks.isUserBlocked("mallory")).isTrue();
    assertThat(blocks.isUserBlocked("alice")).isFalse();
    assertThat(blocks.unblockUser("mallory")).isTrue();
    assertThat(blocks.isUserBlocked("mallory")).isFalse();
  }
}
