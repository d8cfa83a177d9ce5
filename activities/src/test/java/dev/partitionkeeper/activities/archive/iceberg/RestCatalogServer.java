package dev.partitionkeeper.activities.archive.iceberg;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.rest.CatalogHandlers;
import org.apache.iceberg.rest.Endpoint;
import org.apache.iceberg.rest.RESTSerializers;
import org.apache.iceberg.rest.RESTUtil;
import org.apache.iceberg.rest.requests.CreateNamespaceRequest;
import org.apache.iceberg.rest.requests.CreateTableRequest;
import org.apache.iceberg.rest.requests.UpdateTableRequest;
import org.apache.iceberg.rest.responses.ConfigResponse;
import org.apache.iceberg.rest.responses.ErrorResponse;
import org.apache.iceberg.rest.responses.ErrorResponseParser;
import org.apache.iceberg.rest.responses.OAuthTokenResponse;

/**
 * A small Iceberg REST catalog for the tests: the REST routes partition-keeper's client uses, served by
 * Iceberg's own {@link CatalogHandlers} over a JDBC catalog, on 127.0.0.1 and a free port, requiring
 * {@code Authorization: Bearer <token>}, which its OAuth2 token endpoint hands out for the right client credentials.
 */
final class RestCatalogServer implements AutoCloseable {

    private static final List<Endpoint> ENDPOINTS = List.of(
            Endpoint.V1_LOAD_NAMESPACE,
            Endpoint.V1_NAMESPACE_EXISTS,
            Endpoint.V1_CREATE_NAMESPACE,
            Endpoint.V1_LOAD_TABLE,
            Endpoint.V1_TABLE_EXISTS,
            Endpoint.V1_CREATE_TABLE,
            Endpoint.V1_UPDATE_TABLE);

    private final Catalog catalog;
    private final String token;
    /** {@code client_id:client_secret} the token endpoint exchanges for {@link #token}. */
    private final String clientCredential;

    private final HttpServer server;
    private final ObjectMapper json = new ObjectMapper();

    RestCatalogServer(Catalog catalog, String token, String clientCredential) throws IOException {
        this.catalog = catalog;
        this.token = token;
        this.clientCredential = clientCredential;
        json.setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);
        json.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        json.setPropertyNamingStrategy(new PropertyNamingStrategies.KebabCaseStrategy());
        RESTSerializers.registerAll(json);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Settings that reach this server with the bearer {@code token} or the OAuth2 client {@code credential}. */
    IcebergSettings settings(String warehouse, String token, String credential) {
        return new IcebergSettings(IcebergSettings.REST, uri(), null, token, warehouse, null, null, credential);
    }

    private void handle(HttpExchange x) throws IOException {
        try {
            if (x.getRequestURI().getPath().equals("/v1/oauth/tokens")) {
                tokens(x);
                return;
            }
            if (!("Bearer " + token).equals(x.getRequestHeaders().getFirst("Authorization"))) {
                error(x, 401, "NotAuthorizedException", "bearer token missing or wrong");
                return;
            }
            route(x);
        } catch (NoSuchTableException | NoSuchNamespaceException e) {
            error(x, 404, e.getClass().getSimpleName(), e.getMessage());
        } catch (AlreadyExistsException e) {
            error(x, 409, "AlreadyExistsException", e.getMessage());
        } catch (CommitFailedException e) {
            error(x, 409, "CommitFailedException", e.getMessage());
        } catch (ValidationException | IllegalArgumentException e) {
            error(x, 400, "BadRequestException", e.getMessage());
        } catch (RuntimeException e) {
            error(x, 500, e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
        } finally {
            x.close();
        }
    }

    private void route(HttpExchange x) throws IOException {
        String method = x.getRequestMethod();
        String[] p = x.getRequestURI().getRawPath().replaceFirst("^/", "").split("/");
        SupportsNamespaces ns = (SupportsNamespaces) catalog;
        if (p.length == 2 && p[1].equals("config")) {
            send(x, 200, ConfigResponse.builder().withEndpoints(ENDPOINTS).build());
        } else if (p.length == 2 && p[1].equals("namespaces") && method.equals("POST")) {
            send(x, 200, CatalogHandlers.createNamespace(ns, read(x, CreateNamespaceRequest.class)));
        } else if (p.length == 3 && p[1].equals("namespaces")) {
            Namespace n = RESTUtil.decodeNamespace(p[2]);
            if (method.equals("HEAD")) {
                CatalogHandlers.namespaceExists(ns, n);
                empty(x, 204);
            } else {
                send(x, 200, CatalogHandlers.loadNamespace(ns, n));
            }
        } else if (p.length == 4 && p[3].equals("tables") && method.equals("POST")) {
            Namespace n = RESTUtil.decodeNamespace(p[2]);
            send(x, 200, CatalogHandlers.createTable(catalog, n, read(x, CreateTableRequest.class)));
        } else if (p.length == 5 && p[3].equals("tables")) {
            TableIdentifier id = TableIdentifier.of(RESTUtil.decodeNamespace(p[2]), RESTUtil.decodeString(p[4]));
            switch (method) {
                case "HEAD" -> {
                    CatalogHandlers.tableExists(catalog, id);
                    empty(x, 204);
                }
                case "GET" -> send(x, 200, CatalogHandlers.loadTable(catalog, id));
                case "POST" ->
                    send(x, 200, CatalogHandlers.updateTable(catalog, id, read(x, UpdateTableRequest.class)));
                default -> error(x, 405, "BadRequestException", method + " " + x.getRequestURI());
            }
        } else {
            error(x, 404, "NoSuchEndpointException", method + " " + x.getRequestURI() + " is not served here");
        }
    }

    /** OAuth2 client credentials grant: the right client id and secret get the token. */
    private void tokens(HttpExchange x) throws IOException {
        Map<String, String> form =
                RESTUtil.decodeFormData(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String given = form.get("client_id") + ":" + form.get("client_secret");
        if (!"client_credentials".equals(form.get("grant_type")) || !given.equals(clientCredential)) {
            byte[] bytes = "{\"error\": \"invalid_client\", \"error_description\": \"unknown client or wrong secret\"}"
                    .getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(401, bytes.length);
            try (OutputStream o = x.getResponseBody()) {
                o.write(bytes);
            }
            return;
        }
        send(
                x,
                200,
                OAuthTokenResponse.builder()
                        .withToken(token)
                        .withTokenType("bearer")
                        .withIssuedTokenType("urn:ietf:params:oauth:token-type:access_token")
                        .setExpirationInSeconds(3600)
                        .build());
    }

    private <T> T read(HttpExchange x, Class<T> type) throws IOException {
        return json.readValue(x.getRequestBody(), type);
    }

    private void send(HttpExchange x, int code, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(code, bytes.length);
        try (OutputStream o = x.getResponseBody()) {
            o.write(bytes);
        }
    }

    private static void empty(HttpExchange x, int code) throws IOException {
        x.sendResponseHeaders(code, -1);
    }

    private static void error(HttpExchange x, int code, String type, String message) throws IOException {
        ErrorResponse e = ErrorResponse.builder()
                .responseCode(code)
                .withType(type)
                .withMessage(message)
                .build();
        byte[] bytes = ErrorResponseParser.toJson(e).getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(code, bytes.length);
        try (OutputStream o = x.getResponseBody()) {
            o.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
