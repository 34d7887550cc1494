package io.ava.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ring on its own: a writer and a reader (two mappings of one file, as two processes have them). */
class SharedRingTest {
    @TempDir
    Path dir;

    @Test
    void bytesArriveInOrderAcrossWrapsWhileTheWriterWaitsForRoom() throws Exception {
        SharedRing writer = SharedRing.create(dir);
        SharedRing reader = SharedRing.open(writer.path());
        writer.unlink(); // both mapped: the file is not needed any more
        byte[] payload = new byte[3 * SharedRing.CAPACITY + 12_345]; // several wraps; the writer must wait for room
        new Random(7).nextBytes(payload);
        BlockingQueue<Integer> notices = new ArrayBlockingQueue<>(1024); // the socket's part
        CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
            try {
                for (int off = 0; off < payload.length; ) {
                    ByteBuffer slot = writer.claim(payload.length - off, () -> true);
                    int n = slot.remaining();
                    assertTrue(n > 0 && n <= SharedRing.CHUNK);
                    slot.put(payload, off, n);
                    writer.commit(n);
                    notices.put(n);
                    off += n;
                }
            } catch (IOException | InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        byte[] got = new byte[payload.length];
        for (int off = 0; off < got.length; ) {
            Thread.sleep(off == 0 ? 200 : 0); // a slow reader at first: the ring fills up
            int n = notices.poll(10, TimeUnit.SECONDS);
            reader.next(n).get(got, off, n);
            reader.release(n);
            off += n;
        }
        sent.get(10, TimeUnit.SECONDS);
        assertArrayEquals(payload, got);
        assertTrue(Files.notExists(writer.path()));
    }

    @Test
    void aWriterWaitingOnAClosedChannelGivesUp() throws Exception {
        SharedRing writer = SharedRing.create(dir);
        writer.claim(SharedRing.CHUNK, () -> true);
        for (int i = 0; i < SharedRing.CAPACITY / SharedRing.CHUNK; i++) {
            writer.commit(writer.claim(SharedRing.CHUNK, () -> true).remaining()); // fills the ring; nobody reads
        }
        IOException e = assertThrows(IOException.class, () -> writer.claim(1, () -> false));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        writer.unlink();
    }

    @Test
    void theReaderChecksEveryNotice() throws Exception {
        SharedRing writer = SharedRing.create(dir);
        SharedRing reader = SharedRing.open(writer.path());
        writer.unlink();
        assertThrows(IOException.class, () -> reader.next(0));
        assertThrows(IOException.class, () -> reader.next(-5));
        assertThrows(IOException.class, () -> reader.next(SharedRing.CHUNK + 1));
        for (int i = 0; i < SharedRing.CAPACITY / SharedRing.CHUNK - 1; i++) {
            reader.release(reader.next(SharedRing.CHUNK).remaining());
        }
        reader.release(reader.next(SharedRing.CHUNK - 10).remaining());
        assertThrows(IOException.class, () -> reader.next(11), "a chunk may not run past the ring's end");
        assertEquals(10, reader.next(10).remaining());
    }

    @Test
    void onlyRingFilesAreOpened() throws Exception {
        Path other = Files.writeString(dir.resolve("passwd"), "root:x:0:0");
        assertThrows(IOException.class, () -> SharedRing.open(other));
        Path wrongSize = Files.write(dir.resolve("ava-ring-1.shm"), new byte[100]);
        assertThrows(IOException.class, () -> SharedRing.open(wrongSize));
        SharedRing ring = SharedRing.create(dir);
        Path link = Files.createSymbolicLink(dir.resolve("ava-ring-link.shm"), ring.path());
        assertThrows(IOException.class, () -> SharedRing.open(link));
        ring.unlink();
    }

    @Test
    void noticesTravelOnTheSocketAndAreCheckedAgainstThePayload() throws Exception {
        SharedRing writer = SharedRing.create(dir);
        SharedRing reader = SharedRing.open(writer.path());
        writer.unlink();
        java.nio.channels.Pipe socket = java.nio.channels.Pipe.open();
        ByteBuffer slot = writer.claim(10, () -> true);
        slot.put(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        writer.commit(10, socket.sink());
        ByteBuffer chunk = reader.receive(socket.source(), 10);
        byte[] got = new byte[chunk.remaining()];
        chunk.get(got);
        reader.release(got.length);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, got);

        writer.claim(5, () -> true);
        writer.commit(5, socket.sink());
        IOException past = assertThrows(IOException.class, () -> reader.receive(socket.source(), 4));
        assertTrue(past.getMessage().contains("past the payload's end"), past.getMessage());

        socket.sink().close();
        assertEquals(null, reader.receive(socket.source(), 1), "the socket's end");
    }
}
