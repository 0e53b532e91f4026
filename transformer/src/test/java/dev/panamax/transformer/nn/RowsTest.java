package dev.panamax.transformer.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@link Rows}: runs laid end to end, the single-sequence case, reuse and bad runs. */
class RowsTest {
    @Test
    void runsLieEndToEndInTheOrderAdded() {
        Rows rows = new Rows(1).add(2, 7, 5).add(0, 3, 1).add(1, 0, 4); // grows past its first capacity
        assertEquals(3, rows.runs());
        assertEquals(10, rows.count());
        int[][] expected = {{2, 7, 0, 5}, {0, 3, 5, 1}, {1, 0, 6, 4}}; // slot, position, start, length
        for (int r = 0; r < 3; r++) {
            assertEquals(expected[r][0], rows.slot(r));
            assertEquals(expected[r][1], rows.position(r));
            assertEquals(expected[r][2], rows.start(r));
            assertEquals(expected[r][3], rows.length(r));
        }
        assertEquals("Rows[slot 2 @7 x5, slot 0 @3 x1, slot 1 @0 x4]", rows.toString());
        rows.clear().add(1, 9, 2);
        assertEquals(1, rows.runs());
        assertEquals(2, rows.count());
        assertEquals(0, rows.start(0));
    }

    @Test
    void oneSequenceIsOneRunOfSlotZero() {
        Rows rows = Rows.of(12, 3);
        assertEquals(1, rows.runs());
        assertEquals(0, rows.slot(0));
        assertEquals(12, rows.position(0));
        assertEquals(3, rows.count());
    }

    @Test
    void aRunWithoutRowsOrWithANegativeSlotOrPositionIsRefused() {
        Rows rows = new Rows(2);
        assertThrows(IllegalArgumentException.class, () -> rows.add(0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> rows.add(-1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> rows.add(0, -1, 1));
        assertEquals(0, rows.count());
    }
}
