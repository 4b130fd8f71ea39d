import io.unitcell.topology.SlotHash;

/**
 * The slot of each user id given as an argument after the slot count, one "userId slot" line each,
 * computed with the topology module's frozen SlotHash: bench/router.sh checks that the router sends
 * every probed user to the cell owning its slot. Run as a single-file source program:
 * {@code java -cp 'router/target/quarkus-app/lib/main/*' bench/router/ExpectedCells.java 1024 user-0 ...}
 */
public class ExpectedCells {
  public static void main(String[] args) {
    int slotCount = Integer.parseInt(args[0]);
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < args.length; i++) {
      out.append(args[i]).append(' ').append(SlotHash.slotOf(args[i], slotCount)).append('\n');
    }
    System.out.print(out);
  }
}
