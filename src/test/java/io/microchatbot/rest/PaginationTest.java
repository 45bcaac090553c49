package io.microchatbot.rest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.microchatbot.Message;
import io.microchatbot.MessageStatus;
import io.microchatbot.MessageType;
import io.microchatbot.identity.CallerHeaders;
import io.microchatbot.repository.ConversationRepository;
import io.microchatbot.repository.MessageRepository;
import io.microchatbot.testing.FakeLlmResource;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import static io.microchatbot.testing.Api.as;
import static io.microchatbot.testing.Api.conversation;
import static io.microchatbot.testing.Api.newTenant;
import static io.microchatbot.testing.Api.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

/**
 * {@code GET …/messages} and {@code GET /api/v1/conversations}: opaque keyset cursors that never skip or repeat a
 * row, stay stable while rows are added, and are refused (400 invalid_cursor) when altered or replayed elsewhere.
 * Bulk history is stored through the service's own repositories, not through turns (with the conversation's counter
 * kept in step, since {@code total_count} reads it); everything else goes through the API. Query plans are read with
 * EXPLAIN over JDBC.
 */
@QuarkusTest
@QuarkusTestResource(FakeLlmResource.class)
class PaginationTest {

    private static final String MESSAGES = "/api/v1/conversations/{id}/messages";
    private static final String ALIAS = "/api/v1/chat/conversations/{id}/messages";
    private static final String CONVERSATIONS = "/api/v1/conversations";
    private static final Set<String> MESSAGE_FIELDS = Set.of("id", "conversation_id", "user_id", "content",
            "message_type", "metadata", "created_at", "updated_at");
    private static final Set<String> PAGE_FIELDS = Set.of("messages", "total_count", "has_more", "next_cursor");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final String B64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    @Inject
    MessageRepository messageRows;

    @Inject
    ConversationRepository conversationRows;

    @AfterEach
    void resetUpstream() {
        FakeLlmResource.server().reset();
    }

    // ---------------------------------------------------------------- walking a conversation

    @Test
    void ascendingWalkReturnsEveryMessageExactlyOnceInCreatedAtThenIdOrder() {
        String user = newUser();
        String id = conversation(user);
        List<Seeded> expected = ascending(seed(user, id, 250, 5));

        for (int limit : new int[] { 100, 7, 50, 1 }) {
            Walk walk = walk(user, MESSAGES, id, "asc", limit, page -> {
            });
            assertThat(walk.ids()).as("limit %d", limit).doesNotHaveDuplicates().isEqualTo(ids(expected));
            assertThat(walk.createdAt()).as("created_at kept to the microsecond")
                    .isEqualTo(expected.stream().map(Seeded::createdAt).toList());
            assertPageShapes(walk, limit, 250);
        }
    }

    @Test
    void descendingWalkIsExactlyTheReverseOfAscending() {
        String user = newUser();
        String id = conversation(user);
        List<String> reversed = new ArrayList<>(ids(ascending(seed(user, id, 250, 5))));
        Collections.reverse(reversed);

        for (int limit : new int[] { 100, 7, 50 }) {
            Walk desc = walk(user, MESSAGES, id, "desc", limit, page -> {
            });
            assertThat(desc.ids()).as("limit %d", limit).doesNotHaveDuplicates().isEqualTo(reversed);
            assertPageShapes(desc, limit, 250);
        }
        List<String> asc = new ArrayList<>(walk(user, MESSAGES, id, "asc", 13, page -> {
        }).ids());
        Collections.reverse(asc);
        assertThat(asc).isEqualTo(reversed);
    }

    @Test
    void withoutParametersThePageHoldsTheOldestTwentyAndContinuesInAscendingOrder() {
        String user = newUser();
        String id = conversation(user);
        List<String> expected = ids(ascending(seed(user, id, 45, 3)));

        String defaults = as(user).get(MESSAGES, id).then().statusCode(200).extract().asString();
        JsonPath first = JsonPath.from(defaults);
        assertThat(first.getList("messages.id", String.class)).isEqualTo(expected.subList(0, 20));
        assertThat(first.getBoolean("has_more")).isTrue();
        assertThat(first.getInt("total_count")).isEqualTo(45);
        assertThat(as(user).queryParam("order", "asc").queryParam("limit", 20).get(MESSAGES, id).asString())
                .as("the defaults are order=asc and limit=20").isEqualTo(defaults);

        JsonPath second = as(user).queryParam("cursor", first.getString("next_cursor")).get(MESSAGES, id)
                .then().statusCode(200).extract().jsonPath();
        assertThat(second.getList("messages.id", String.class)).isEqualTo(expected.subList(20, 40));
        JsonPath third = as(user).queryParam("cursor", second.getString("next_cursor")).get(MESSAGES, id)
                .then().statusCode(200).extract().jsonPath();
        assertThat(third.getList("messages.id", String.class)).isEqualTo(expected.subList(40, 45));
        assertThat(third.getBoolean("has_more")).isFalse();
        assertThat(third.getMap("")).containsEntry("next_cursor", null);
    }

    @Test
    void messagesAndPagesCarryExactlyTheContractFields() {
        String user = newUser();
        String id = conversation(user);
        JsonPath turn = as(user).contentType(ContentType.JSON)
                .body(Map.of("content", "what fields?", "metadata", Map.of("client", "cli")))
                .post(MESSAGES, id).then().statusCode(201).extract().jsonPath();

        Response response = as(user).queryParam("limit", 100).get(MESSAGES, id);
        response.then().statusCode(200).contentType(ContentType.JSON);
        Map<String, Object> page = response.jsonPath().getMap("");
        assertThat(page.keySet()).isEqualTo(PAGE_FIELDS);
        assertThat(page).containsEntry("total_count", 2).containsEntry("has_more", false)
                .containsEntry("next_cursor", null);

        List<Map<String, Object>> messages = response.jsonPath().getList("messages");
        assertThat(messages).hasSize(2);
        for (Map<String, Object> message : messages) {
            assertThat(message.keySet()).isEqualTo(MESSAGE_FIELDS);
            assertThat(message.get("conversation_id")).isEqualTo(id);
            assertThat(message.get("user_id")).isEqualTo(user);
            assertThat(message.get("metadata")).isInstanceOf(Map.class);
            Instant.parse((String) message.get("created_at"));
            Instant.parse((String) message.get("updated_at"));
        }
        assertThat(messages.get(0)).containsEntry("id", turn.getString("user_message.id"))
                .containsEntry("message_type", "user").containsEntry("content", "what fields?")
                .containsEntry("metadata", Map.of("client", "cli"));
        assertThat(messages.get(1)).containsEntry("id", turn.getString("assistant_message.id"))
                .containsEntry("message_type", "assistant");
    }

    @Test
    void limitOutsideOneToHundredAndUnknownOrderAreRejected() {
        String user = newUser();
        String id = conversation(user);
        for (String limit : List.of("0", "101", "-1", "abc", "1.5")) {
            as(user).queryParam("limit", limit).get(MESSAGES, id)
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("validation_failed"));
        }
        as(user).queryParam("order", "sideways").get(MESSAGES, id)
                .then().statusCode(400).body("code", equalTo("validation_failed"));
        as(user).queryParam("limit", 1).get(MESSAGES, id).then().statusCode(200);
        as(user).queryParam("limit", 100).get(MESSAGES, id).then().statusCode(200);
    }

    /**
     * A message row that took the schema's default metadata ({@code '{}'::jsonb}, an object), as any row written by
     * SQL, a migration or another writer would, must not break the page it is on.
     */
    @Test
    void pageHoldingARowWithTheSchemaDefaultMetadataIsServed() throws SQLException {
        String user = newUser();
        String id = conversation(user);
        UUID message = UUID.randomUUID();
        try (Connection db = db();
                PreparedStatement insert = db.prepareStatement("INSERT INTO messages (id, conversation_id, tenant_id,"
                        + " user_id, message_type, status, content, created_at, updated_at)"
                        + " VALUES (?, ?, 'default', ?, 'system', 'complete', 'imported', now(), now())");
                PreparedStatement counter = db.prepareStatement(
                        "UPDATE conversations SET message_count = message_count + 1 WHERE id = ?")) {
            insert.setObject(1, message);
            insert.setObject(2, UUID.fromString(id));
            insert.setString(3, user);
            insert.executeUpdate();
            counter.setObject(1, UUID.fromString(id));
            counter.executeUpdate();
        }

        as(user).get(MESSAGES, id).then().statusCode(200)
                .body("total_count", is(1))
                .body("messages[0].id", equalTo(message.toString()))
                .body("messages[0].metadata", equalTo(Map.of()));
    }

    // ---------------------------------------------------------------- stability under writes

    @Test
    void ascendingWalkStaysGaplessWhileTurnsAddMessagesAndEndsWithTheNewOnes() {
        String user = newUser();
        String id = conversation(user);
        List<String> expected = new ArrayList<>(ids(ascending(seed(user, id, 30, 2))));

        Walk walk = walk(user, MESSAGES, id, "asc", 7, page -> {
            if (page < 5) {
                expected.addAll(turn(user, id, "mid-walk " + page));
            }
        });

        assertThat(walk.ids()).doesNotHaveDuplicates().isEqualTo(expected).hasSize(40);
        assertThat(walk.last().totalCount()).isEqualTo(40);
        assertThat(walk.last().hasMore()).isFalse();
    }

    @Test
    void descendingWalkSkipsNothingAndNeverShowsMessagesAddedDuringTheWalk() {
        String user = newUser();
        String id = conversation(user);
        List<String> reversed = new ArrayList<>(ids(ascending(seed(user, id, 30, 2))));
        Collections.reverse(reversed);
        List<String> added = new ArrayList<>();

        Walk walk = walk(user, MESSAGES, id, "desc", 7, page -> {
            if (page < 4) {
                added.addAll(turn(user, id, "mid-walk " + page));
            }
        });

        assertThat(walk.ids()).doesNotHaveDuplicates().isEqualTo(reversed).doesNotContainAnyElementsOf(added);
        assertThat(added).hasSize(8);
        assertThat(walk.last().totalCount())
                .as("total_count is the conversation's current count").isEqualTo(38);
    }

    // ---------------------------------------------------------------- cursor integrity

    @Test
    void changingAnySingleCharacterOfACursorMakesItInvalid() {
        String user = newUser();
        String id = conversation(user);
        seed(user, id, 10, 1);
        String cursor = firstCursor(user, id, "asc", 3);
        assertThat(cursor).contains(".");

        for (int i = 0; i < cursor.length(); i++) {
            char original = cursor.charAt(i);
            char replacement = original == '.' ? 'A'
                    : B64URL_ALPHABET.charAt((B64URL_ALPHABET.indexOf(original) + 1) % B64URL_ALPHABET.length());
            String tampered = cursor.substring(0, i) + replacement + cursor.substring(i + 1);
            assertInvalidCursor(as(user).queryParam("cursor", tampered), MESSAGES, id,
                    "character " + i + " of " + cursor + " changed to " + replacement);
        }
    }

    @Test
    void truncatedGarbageAndForgedCursorsAreInvalid() {
        String user = newUser();
        String id = conversation(user);
        List<Seeded> seeded = ascending(seed(user, id, 10, 1));
        String cursor = firstCursor(user, id, "asc", 3);
        int dot = cursor.indexOf('.');
        byte[] randomBytes = new byte[48];
        new SecureRandom().nextBytes(randomBytes);
        // Well-formed, but pointing further than the first page's cursor does (skip ahead as an offset would).
        Seeded eighth = seeded.get(7);
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, eighth.createdAt());
        String forgedPayload = "c1|messages:" + id + "|a|" + micros + "|" + eighth.id();

        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("last character dropped", cursor.substring(0, cursor.length() - 1));
        bad.put("signature dropped", cursor.substring(0, dot + 1));
        bad.put("payload only, no dot", cursor.substring(0, dot));
        bad.put("signature only", cursor.substring(dot));
        bad.put("half of it", cursor.substring(0, cursor.length() / 2));
        bad.put("doubled signature", cursor + cursor.substring(dot));
        bad.put("extra dot part", cursor + ".AAAA");
        bad.put("garbage", "not-a-cursor");
        bad.put("punctuation", "!!!@@@###");
        bad.put("just a dot", ".");
        bad.put("dots", "....");
        bad.put("random bytes", B64URL.encodeToString(randomBytes));
        bad.put("random bytes with a dot", B64URL.encodeToString(randomBytes) + "." + B64URL.encodeToString(randomBytes));
        bad.put("an offset", "20");
        bad.put("base64 of an offset", B64URL.encodeToString("20".getBytes(StandardCharsets.UTF_8)));
        bad.put("base64 of JSON", B64URL.encodeToString("{\"offset\":20}".getBytes(StandardCharsets.UTF_8)));
        bad.put("standard base64", Base64.getEncoder().encodeToString(randomBytes) + "+/=");
        bad.put("forged payload, random signature", B64URL.encodeToString(forgedPayload.getBytes(StandardCharsets.UTF_8))
                + "." + B64URL.encodeToString(Arrays.copyOf(randomBytes, 16)));
        bad.put("forged payload, real signature", B64URL.encodeToString(forgedPayload.getBytes(StandardCharsets.UTF_8))
                + cursor.substring(dot));
        bad.put("very long", cursor + "A".repeat(1000));
        bad.put("unicode", "ü€😀." + cursor.substring(dot + 1));

        bad.forEach((what, value) -> assertInvalidCursor(as(user).queryParam("cursor", value), MESSAGES, id, what));
        bad.forEach((what, value) -> assertInvalidCursor(as(user).queryParam("cursor", value), ALIAS, id,
                "alias, " + what));
    }

    @Test
    void cursorOfOneConversationIsInvalidForAnotherOfTheSameUser() {
        String user = newUser();
        String a = conversation(user);
        String b = conversation(user);
        seed(user, a, 10, 1);
        seed(user, b, 10, 1);

        assertInvalidCursor(as(user).queryParam("cursor", firstCursor(user, a, "asc", 3)), MESSAGES, b, "asc");
        assertInvalidCursor(as(user).queryParam("cursor", firstCursor(user, a, "desc", 3)).queryParam("order", "desc"),
                MESSAGES, b, "desc");
    }

    @Test
    void cursorIsBoundToTheOrderItWasIssuedFor() {
        String user = newUser();
        String id = conversation(user);
        seed(user, id, 10, 1);
        String asc = firstCursor(user, id, "asc", 3);
        String desc = firstCursor(user, id, "desc", 3);

        assertInvalidCursor(as(user).queryParam("cursor", asc).queryParam("order", "desc"), MESSAGES, id,
                "asc cursor, order=desc");
        assertInvalidCursor(as(user).queryParam("cursor", desc).queryParam("order", "asc"), MESSAGES, id,
                "desc cursor, order=asc");
        assertInvalidCursor(as(user).queryParam("cursor", desc), MESSAGES, id, "desc cursor, default order");
        as(user).queryParam("cursor", asc).queryParam("order", "asc").get(MESSAGES, id).then().statusCode(200);
        as(user).queryParam("cursor", desc).queryParam("order", "desc").get(MESSAGES, id).then().statusCode(200);
    }

    @Test
    void anotherCallersConversationIsNotFoundEvenWithAValidCursorForIt() {
        String owner = newUser();
        String id = conversation(owner);
        seed(owner, id, 10, 1);
        String cursor = firstCursor(owner, id, "asc", 3);
        String stranger = newUser();

        String otherTenant = newTenant();
        for (Supplier<RequestSpecification> caller : List.<Supplier<RequestSpecification>> of(() -> as(stranger),
                () -> as(otherTenant, owner))) {
            for (String path : List.of(MESSAGES, ALIAS)) {
                caller.get().queryParam("cursor", cursor).get(path, id)
                        .then().statusCode(404).contentType("application/problem+json")
                        .body("code", equalTo("not_found"));
            }
        }
        // Without a cursor, the same answer as for a conversation that does not exist at all.
        Response foreign = as(stranger).get(MESSAGES, id);
        Response missing = as(stranger).get(MESSAGES, UUID.randomUUID().toString());
        foreign.then().statusCode(404);
        missing.then().statusCode(404);
        assertThat(foreign.jsonPath().getString("detail")).isEqualTo(missing.jsonPath().getString("detail"));
        assertThat(foreign.jsonPath().getString("code")).isEqualTo(missing.jsonPath().getString("code"));
    }

    @Test
    void messageCursorIsInvalidForTheConversationListAndTheOtherWayRound() {
        String user = newUser();
        String id = conversation(user);
        seed(user, id, 10, 1);
        for (int i = 0; i < 3; i++) {
            conversation(user);
        }
        String messageCursor = firstCursor(user, id, "asc", 3);
        String listCursor = as(user).queryParam("limit", 2).get(CONVERSATIONS)
                .then().statusCode(200).extract().path("next_cursor");

        assertInvalidCursor(as(user).queryParam("cursor", messageCursor), CONVERSATIONS, null, "message cursor on list");
        assertInvalidCursor(as(user).queryParam("cursor", listCursor), MESSAGES, id, "list cursor on messages");
    }

    // ---------------------------------------------------------------- alias path

    @Test
    void aliasPathAnswersWithTheSameBodyAsTheMainPath() {
        String user = newUser();
        String id = conversation(user);
        seed(user, id, 30, 2);
        turn(user, id, "a real turn too");

        for (String order : List.of("asc", "desc")) {
            String cursor = null;
            do {
                RequestSpecification main = as(user).queryParam("order", order).queryParam("limit", 9);
                RequestSpecification alias = as(user).queryParam("order", order).queryParam("limit", 9);
                if (cursor != null) {
                    main.queryParam("cursor", cursor);
                    alias.queryParam("cursor", cursor);
                }
                String mainBody = main.get(MESSAGES, id).then().statusCode(200).extract().asString();
                String aliasBody = alias.get(ALIAS, id).then().statusCode(200).contentType(ContentType.JSON)
                        .extract().asString();
                assertThat(aliasBody).isEqualTo(mainBody);
                cursor = JsonPath.from(mainBody).getString("next_cursor");
            } while (cursor != null);
        }
        assertThat(as(user).get(ALIAS, id).asString()).isEqualTo(as(user).get(MESSAGES, id).asString());
    }

    // ---------------------------------------------------------------- conversation list

    @Test
    void conversationListPagesNewestFirstWithoutGapsAndIgnoresConversationsOpenedMeanwhile() {
        String user = newUser();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            created.add(conversation(user));
        }
        // Groups of three share a creation time, so that page boundaries (10, 20) fall inside ties broken by id.
        Instant base = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MICROS).plusNanos(123_456_000);
        List<Seeded> rows = new ArrayList<>();
        for (int i = 0; i < created.size(); i++) {
            rows.add(new Seeded(created.get(i), base.plus(i / 3 * 1_001_001L, ChronoUnit.MICROS)));
        }
        inTransaction(() -> Multi.createFrom().iterable(rows)
                .onItem().transformToUniAndConcatenate(row -> conversationRows.update("createdAt = ?1 where id = ?2",
                        row.createdAt(), UUID.fromString(row.id())))
                .collect().asList());
        List<String> expected = new ArrayList<>(ids(ascending(rows)));
        Collections.reverse(expected);

        List<String> walked = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        String openedMeanwhile = null;
        JsonPath page;
        do {
            RequestSpecification request = as(user).queryParam("limit", 10);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            page = request.get(CONVERSATIONS).then().statusCode(200).extract().jsonPath();
            walked.addAll(page.getList("conversations.id", String.class));
            sizes.add(page.getList("conversations").size());
            cursor = page.getString("next_cursor");
            assertThat(page.getBoolean("has_more")).isEqualTo(cursor != null);
            if (openedMeanwhile == null) {
                openedMeanwhile = conversation(user);
            }
            assertThat(sizes).hasSizeLessThan(10);
        } while (cursor != null);

        assertThat(walked).doesNotHaveDuplicates().isEqualTo(expected).doesNotContain(openedMeanwhile);
        assertThat(sizes).containsExactly(10, 10, 5);
        assertThat(page.getMap("")).containsEntry("next_cursor", null);
    }

    @Test
    void conversationListCursorOfOneCallerIsInvalidForAnother() {
        String user = newUser();
        for (int i = 0; i < 3; i++) {
            conversation(user);
        }
        String cursor = as(user).queryParam("limit", 1).get(CONVERSATIONS).then().statusCode(200)
                .extract().path("next_cursor");
        as(user).queryParam("limit", 1).queryParam("cursor", cursor).get(CONVERSATIONS).then().statusCode(200);

        assertInvalidCursor(as(newUser()).queryParam("cursor", cursor), CONVERSATIONS, null, "another user");
        assertInvalidCursor(as(newTenant(), user).queryParam("cursor", cursor), CONVERSATIONS, null,
                "same user id in another tenant");
    }

    // ---------------------------------------------------------------- query plans

    /** Not timed: with a conversation of 250 messages in the table, the planner reads a page through the index. */
    @Test
    void messagePageQueryUsesTheConversationKeysetIndex() throws SQLException {
        String user = newUser();
        String id = conversation(user);
        Seeded after = ascending(seed(user, id, 250, 5)).get(120);

        try (Connection db = db()) {
            analyze(db, "messages");
            assertThat(plan(db, "SELECT * FROM messages WHERE conversation_id = ?"
                    + " AND (created_at > ? OR (created_at = ? AND id > ?)) ORDER BY created_at, id LIMIT 101",
                    UUID.fromString(id), after))
                    .contains("messages_conversation_keyset");
            assertThat(plan(db, "SELECT * FROM messages WHERE conversation_id = ?"
                    + " AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT 101", UUID.fromString(id), after))
                    .contains("messages_conversation_keyset");
        }
    }

    /**
     * The page query as {@code MessageRepository.page} words it, a row comparison, lets an in-order index scan start
     * at the cursor: the position is part of the index condition, so no earlier row is read and filtered out, and no
     * Sort is needed. (With {@code created_at > ? OR (created_at = ? AND id > ?)} the position is only a Filter: every
     * deeper page re-reads all earlier messages of the conversation.) Bitmap scans are switched off because whether the
     * planner prefers one for a small conversation depends on the statistics of a shared test database; this test is
     * about what the in-order path, the one large conversations get, does.
     */
    @Test
    void messagePageQuerySeeksToTheCursorInTheIndexInBothOrders() throws SQLException {
        String user = newUser();
        String id = conversation(user);
        Seeded after = ascending(seed(user, id, 250, 5)).get(120);

        try (Connection db = db()) {
            set(db, "enable_bitmapscan = off", "enable_seqscan = off");
            String asc = plan(db, "SELECT * FROM messages WHERE conversation_id = ?"
                    + " AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT 21", UUID.fromString(id), after);
            assertThat(asc).contains("Index Scan using messages_conversation_keyset")
                    .containsPattern("Index Cond: .*ROW\\(created_at, id\\) >")
                    .doesNotContain("Filter", "Sort");
            String desc = plan(db, "SELECT * FROM messages WHERE conversation_id = ?"
                    + " AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT 21", UUID.fromString(id),
                    after);
            assertThat(desc).contains("Index Scan Backward using messages_conversation_keyset")
                    .containsPattern("Index Cond: .*ROW\\(created_at, id\\) <")
                    .doesNotContain("Filter", "Sort");
        }
    }

    /**
     * The conversation list query as {@code ConversationRepository.page} words it seeks to the cursor in the owner's
     * index, newest first. The conversations table of the test database is a few pages small, so sequential and bitmap
     * scans are switched off: otherwise the planner rightly reads the whole table.
     */
    @Test
    void conversationListQuerySeeksToTheCursorInTheOwnerIndex() throws SQLException {
        String user = newUser();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            created.add(conversation(user));
        }
        String middle = created.get(6);
        Instant at = Instant.parse(as(user).get(CONVERSATIONS + "/{id}", middle).then().statusCode(200)
                .extract().path("created_at"));

        try (Connection db = db()) {
            set(db, "enable_bitmapscan = off", "enable_seqscan = off");
            String plan = plan(db, "SELECT * FROM conversations WHERE tenant_id = 'default' AND user_id = '" + user + "'"
                    + " AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT 11", null,
                    new Seeded(middle, at));
            assertThat(plan).contains("Index Scan using conversations_owner_keyset")
                    .containsPattern("Index Cond: .*ROW\\(created_at, id\\) <")
                    .doesNotContain("Filter", "Sort");
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A row written by the test: its id and creation time. */
    private record Seeded(String id, Instant createdAt) {
    }

    /** A page of messages as the API sent it (parsed with Jackson: thousands of pages are read). */
    private record MessagePage(Map<String, Object> body) {

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> messages() {
            return (List<Map<String, Object>>) body.get("messages");
        }

        int totalCount() {
            return ((Number) body.get("total_count")).intValue();
        }

        boolean hasMore() {
            return (Boolean) body.get("has_more");
        }

        String nextCursor() {
            return (String) body.get("next_cursor");
        }
    }

    private record Walk(List<String> ids, List<Instant> createdAt, List<MessagePage> pages) {

        MessagePage last() {
            return pages.get(pages.size() - 1);
        }
    }

    /**
     * Stores {@code count} messages created a day ago, {@code tie} at a time sharing one timestamp (with
     * microseconds), through the service's own mapping, and counts them on the conversation as a turn does.
     */
    private List<Seeded> seed(String user, String conversationId, int count, int tie) {
        Instant base = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).plusNanos(654_321_000);
        MessageType[] types = MessageType.values();
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Message message = new Message();
            message.id = UUID.randomUUID();
            message.conversationId = UUID.fromString(conversationId);
            message.tenantId = CallerHeaders.DEFAULT_TENANT;
            message.userId = user;
            message.messageType = types[i % types.length];
            message.status = MessageStatus.complete;
            message.content = "seeded message " + i;
            message.metadata = "{\"seq\":" + i + "}";
            message.contentTokens = 3;
            message.createdAt = base.plus(i / tie * 1_000_007L, ChronoUnit.MICROS);
            message.updatedAt = message.createdAt;
            messages.add(message);
        }
        inTransaction(() -> messageRows.persist(messages)
                .chain(() -> conversationRows.update("messageCount = messageCount + ?1 where id = ?2", (long) count,
                        UUID.fromString(conversationId))));
        return messages.stream().map(m -> new Seeded(m.id.toString(), m.createdAt)).toList();
    }

    private static <T> T inTransaction(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(work));
        } catch (Throwable e) {
            throw new IllegalStateException("Seeding failed", e);
        }
    }

    /** The keyset order: creation time, then id as PostgreSQL compares uuids (bytewise, i.e. as lowercase hex). */
    private static List<Seeded> ascending(List<Seeded> rows) {
        return rows.stream()
                .sorted(Comparator.comparing(Seeded::createdAt).thenComparing(Seeded::id))
                .toList();
    }

    private static List<String> ids(List<Seeded> rows) {
        return rows.stream().map(Seeded::id).toList();
    }

    /** Follows next_cursor to the end; {@code afterPage} runs after each page with its index. */
    private static Walk walk(String user, String path, String id, String order, int limit, IntConsumer afterPage) {
        List<String> ids = new ArrayList<>();
        List<Instant> createdAt = new ArrayList<>();
        List<MessagePage> pages = new ArrayList<>();
        String cursor = null;
        do {
            RequestSpecification request = as(user).queryParam("order", order).queryParam("limit", limit);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            MessagePage page = new MessagePage(parse(request.get(path, id).then().statusCode(200)
                    .contentType(ContentType.JSON).extract().asString()));
            pages.add(page);
            for (Map<String, Object> message : page.messages()) {
                ids.add((String) message.get("id"));
                createdAt.add(Instant.parse((String) message.get("created_at")));
            }
            cursor = page.nextCursor();
            afterPage.accept(pages.size() - 1);
            if (pages.size() > 1000) {
                fail("the walk does not end: " + pages.size() + " pages");
            }
        } while (cursor != null);
        return new Walk(ids, createdAt, pages);
    }

    /** Every page but the last is full and says there is more; the last one says there is not, with a null cursor. */
    private static void assertPageShapes(Walk walk, int limit, int total) {
        List<MessagePage> pages = walk.pages();
        assertThat(pages).hasSize((total + limit - 1) / limit);
        for (int i = 0; i < pages.size(); i++) {
            MessagePage page = pages.get(i);
            boolean last = i == pages.size() - 1;
            assertThat(page.body().keySet()).isEqualTo(PAGE_FIELDS);
            assertThat(page.totalCount()).isEqualTo(total);
            assertThat(page.hasMore()).as("has_more of page %d", i).isEqualTo(!last);
            assertThat(page.messages()).hasSize(last ? total - limit * (pages.size() - 1) : limit);
            if (last) {
                assertThat(page.nextCursor()).isNull();
            } else {
                assertThat(page.nextCursor()).isNotBlank();
            }
        }
    }

    private static Map<String, Object> parse(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, Object>>() {
            });
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static String firstCursor(String user, String id, String order, int limit) {
        String cursor = as(user).queryParam("order", order).queryParam("limit", limit).get(MESSAGES, id)
                .then().statusCode(200).extract().path("next_cursor");
        assertThat(cursor).isNotBlank();
        return cursor;
    }

    /** Runs one turn through the API and returns the ids of the user message and the reply, in that order. */
    private static List<String> turn(String user, String id, String content) {
        JsonPath turn = as(user).contentType(ContentType.JSON).body(Map.of("content", content))
                .post(MESSAGES, id).then().statusCode(201).extract().jsonPath();
        return List.of(turn.getString("user_message.id"), turn.getString("assistant_message.id"));
    }

    private static void assertInvalidCursor(RequestSpecification request, String path, String id, String what) {
        Response response = id == null ? request.get(path) : request.get(path, id);
        assertThat(response.statusCode()).as("%s: %s", what, response.asString()).isEqualTo(400);
        response.then().contentType("application/problem+json")
                .body("code", equalTo("invalid_cursor"))
                .body("status", is(400));
    }

    private static Connection db() throws SQLException {
        var config = ConfigProvider.getConfig();
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
    }

    /** Fresh statistics, so that the planner judges the table as it is now rather than as it was when empty. */
    private static void analyze(Connection db, String table) throws SQLException {
        try (Statement statement = db.createStatement()) {
            statement.execute("ANALYZE " + table);
        }
    }

    private static void set(Connection db, String... settings) throws SQLException {
        try (Statement statement = db.createStatement()) {
            for (String setting : settings) {
                statement.execute("SET " + setting);
            }
        }
    }

    /** EXPLAIN of a keyset query whose parameters are [conversation id,] created_at[, created_at], id. */
    private static String plan(Connection db, String query, UUID conversationId, Seeded after) throws SQLException {
        try (PreparedStatement explain = db.prepareStatement("EXPLAIN " + query)) {
            int i = 1;
            if (conversationId != null) {
                explain.setObject(i++, conversationId);
            }
            OffsetDateTime at = OffsetDateTime.ofInstant(after.createdAt(), ZoneOffset.UTC);
            explain.setObject(i++, at);
            if (query.contains("created_at = ?")) {
                explain.setObject(i++, at);
            }
            explain.setObject(i, UUID.fromString(after.id()));
            StringBuilder plan = new StringBuilder();
            try (ResultSet rows = explain.executeQuery()) {
                while (rows.next()) {
                    plan.append(rows.getString(1)).append('\n');
                }
            }
            return plan.toString();
        }
    }
}
