package dev.panamax.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.testing.Seeded;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Grid sizes for odd shapes: every element gets a thread (or a grid-stride turn), no launch is empty. */
@ExtendWith(Seeded.class)
class LaunchTest {

    @Test
    void strided_grids_cover_every_element_and_stay_bounded() {
        assertEquals(new Launch(1, 1, 256), Launch.strided(1));
        assertEquals(1, Launch.strided(256).gridX());
        assertEquals(2, Launch.strided(257).gridX());
        assertEquals(Launch.MAX_STRIDED_BLOCKS, Launch.strided(1L << 40).gridX());
    }

    @Test
    void tiles_cover_odd_shapes_with_one_partial_tile_per_edge(Random random) {
        for (int i = 0; i < 200; i++) {
            long m = 1 + random.nextInt(5000);
            long n = 1 + random.nextInt(50_000);
            for (boolean tc : new boolean[] {false, true}) {
                Launch l = Launch.tiles(m, n, tc);
                assertTrue((long) l.gridX() * Launch.TILE >= n && (long) (l.gridX() - 1) * Launch.TILE < n, "n=" + n);
                assertTrue((long) l.gridY() * Launch.TILE >= m && (long) (l.gridY() - 1) * Launch.TILE < m, "m=" + m);
                assertEquals(tc ? 128 : 256, l.block());
            }
        }
        assertEquals(new Launch(2, 1, 256), Launch.tiles(1, 65, false));
        assertEquals(new Launch(1, 2, 128), Launch.tiles(65, 64, true));
    }

    @Test
    void matvec_gives_one_warp_per_output_column(Random random) {
        for (int i = 0; i < 100; i++) {
            long n = 1 + random.nextInt(200_000);
            long m = 1 + random.nextInt(Launch.MATVEC_MAX_ROWS - 1);
            Launch l = Launch.matvec(m, n);
            long warps = (long) l.gridX() * l.block() / 32;
            assertTrue(warps >= n && warps - n < Launch.MATVEC_WARPS, "n=" + n + " warps=" + warps);
            assertEquals(m, l.gridY());
        }
    }

    @Test
    void attention_and_rows_launch_one_block_per_item() {
        assertEquals(new Launch(7, 3, 256), Launch.attention(7, 3));
        assertEquals(new Launch(5, 1, 256), Launch.rows(5));
    }

    @Test
    void impossible_configurations_are_rejected() {
        assertThrows(IllegalArgumentException.class, () -> Launch.attention(32, Launch.MAX_GRID_Y + 1L));
        assertThrows(IllegalArgumentException.class, () -> Launch.rows(0));
        assertThrows(IllegalArgumentException.class, () -> new Launch(1, 1, 100));
        assertThrows(ArithmeticException.class, () -> Launch.rows(1L << 32));
    }
}
