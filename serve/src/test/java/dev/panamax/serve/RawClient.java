package dev.panamax.serve;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A client on a plain socket, for what HTTP libraries will not do: stall, send half a request, hang up mid-stream. */
final class RawClient implements AutoCloseable {
    final Socket socket;
    final BufferedReader in;
    final OutputStream out;

    RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
    }

    void send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Sends a whole POST with {@code body}. */
    void post(String path, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        send("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n" + body);
    }

    /** Reads lines until {@code n} lines starting with {@code data:} have come. */
    void readEvents(int n) throws IOException {
        for (int seen = 0; seen < n; ) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("the server closed the connection after " + seen + " events");
            }
            if (line.startsWith("data:")) {
                seen++;
            }
        }
    }

    /** Milliseconds until the server closes the connection (reading and dropping what it sends), or -1 if it stays open past the socket timeout. */
    long millisUntilClosed() throws IOException {
        long start = System.nanoTime();
        try {
            while (socket.getInputStream().read() >= 0) {
                // drop
            }
        } catch (SocketTimeoutException e) {
            return -1;
        } catch (IOException e) {
            // reset: closed too
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
