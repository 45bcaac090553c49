// A Node.js caller of microchatbot.v1.ChatService with the official grpc-js client, as another team's service
// would be: it loads the service's .proto file, discovers the service by reflection (what grpcurl does), checks
// health, runs every kind of call and reads the error details. Run by GrpcJsClientTest:
//   node client.mjs <port> <user>
// It asserts as it goes (exit status 1 on the first failure) and prints one JSON line of facts at the end.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const require = createRequire(import.meta.url);
const protobuf = require('protobufjs');
const descriptor = require('protobufjs/ext/descriptor');

const here = path.dirname(fileURLToPath(import.meta.url));
const [port, user] = process.argv.slice(2);
const address = `127.0.0.1:${port}`;
const includeDirs = [path.join(here, '../../main/proto'), path.join(here, 'proto')];
const options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs };

const load = (file) => grpc.loadPackageDefinition(protoLoader.loadSync(file, options));
const chat = load('microchatbot/v1/chat.proto').microchatbot.v1;
const health = load('grpc/health/v1/health.proto').grpc.health.v1;
const reflection = load('grpc/reflection/v1/reflection.proto').grpc.reflection.v1;
const rpcTypes = protobuf.loadSync(path.join(here, 'proto/google/rpc/status.proto'));

const credentials = grpc.credentials.createInsecure();
const client = new chat.ChatService(address, credentials);
const caller = () => {
  const metadata = new grpc.Metadata();
  metadata.set('x-user-id', user);
  return metadata;
};
const unary = (method, request, metadata = caller(), callOptions = {}) =>
  new Promise((resolve, reject) => client[method](request, metadata, callOptions,
    (error, response) => (error ? reject(error) : resolve(response))));
const facts = {};

// The google.rpc.Status a failed call carries in its trailers, its details unpacked.
function details(error) {
  const [bytes] = error.metadata.get('grpc-status-details-bin');
  assert.ok(bytes, `no grpc-status-details-bin on ${error.code} ${error.details}`);
  const status = rpcTypes.lookupType('google.rpc.Status').decode(bytes);
  const unpacked = {};
  for (const any of status.details) {
    const url = any.type_url;
    const type = rpcTypes.lookupType(url.substring(url.lastIndexOf('/') + 1));
    unpacked[type.name] = type.toObject(type.decode(any.value));
  }
  return unpacked;
}

async function reflect() {
  const stub = new reflection.ServerReflection(address, credentials);
  const call = stub.ServerReflectionInfo();
  const answers = [];
  const done = new Promise((resolve, reject) => {
    call.on('data', (answer) => answers.push(answer));
    call.on('error', reject);
    call.on('end', resolve);
  });
  call.write({ list_services: '' });
  call.write({ file_containing_symbol: 'microchatbot.v1.ChatService' });
  call.end();
  await done;
  const services = answers[0].list_services_response.service.map((s) => s.name);
  assert.ok(services.includes('microchatbot.v1.ChatService'), `services: ${services}`);
  assert.ok(services.includes('grpc.health.v1.Health'), `services: ${services}`);
  const files = answers[1].file_descriptor_response.file_descriptor_proto
    .map((bytes) => descriptor.FileDescriptorProto.decode(bytes));
  const file = files.find((f) => f.package === 'microchatbot.v1');
  assert.ok(file, 'the descriptor of microchatbot.v1');
  const methods = file.service.find((s) => s.name === 'ChatService').method.map((m) => m.name);
  assert.deepEqual([...methods].sort(), ['CancelTurn', 'CreateConversation', 'DeleteConversation',
    'GetConversation', 'GetMessage', 'ListConversations', 'ListMessages', 'SendMessage', 'SendMessageStream',
    'UpdateConversation']);
  facts.reflected_methods = methods.length;
  stub.close();
}

async function serving() {
  const stub = new health.Health(address, credentials);
  const check = (service) => new Promise((resolve, reject) => stub.Check({ service }, (error, response) =>
    (error ? reject(error) : resolve(response.status))));
  for (let attempt = 0; ; attempt += 1) {
    const status = await check('');
    if (status === 'SERVING') break;
    assert.ok(attempt < 50, `health stayed ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(await check('microchatbot.v1.ChatService'), 'SERVING');
  stub.close();
}

function stream(request, onEvent = () => {}) {
  const call = client.SendMessageStream(request, caller());
  const events = [];
  return {
    call,
    done: new Promise((resolve, reject) => {
      call.on('data', (event) => {
        events.push(event);
        onEvent(event, call);
      });
      call.on('error', (error) => (error.code === grpc.status.CANCELLED ? resolve(events) : reject(error)));
      call.on('end', () => resolve(events));
    }),
  };
}

await reflect();
await serving();

const conversation = await unary('CreateConversation', {
  title: 'From Node', metadata: { fields: { team: { stringValue: 'payments' } } },
});
assert.equal(conversation.title, 'From Node');
assert.equal(conversation.metadata.fields.team.stringValue, 'payments');
const read = await unary('GetConversation', { conversation_id: conversation.id });
assert.equal(read.id, conversation.id);

const turn = await unary('SendMessage', { conversation_id: conversation.id, content: 'Hello' });
assert.equal(turn.user_message.content, 'Hello');
assert.equal(turn.user_message.message_type, 'MESSAGE_TYPE_USER');
assert.equal(turn.assistant_message.content, 'Hello from the fake model.');
assert.equal(turn.usage.total_tokens, 16);

const streamed = await stream({ conversation_id: conversation.id, content: 'Tell me' }).done;
assert.deepEqual(streamed.map((e) => e.event), ['message_created', 'message_delta', 'message_delta',
  'message_delta', 'message_delta', 'message_delta', 'message_completed']);
assert.deepEqual(streamed.map((e) => Number(e.sequence)), [1, 2, 3, 4, 5, 6, 7]);
assert.equal(streamed.at(-1).message_completed.message.content, 'Hello from the fake model.');

const page = await unary('ListMessages', { conversation_id: conversation.id, limit: 3 });
assert.equal(Number(page.total_count), 4);
assert.equal(page.messages.length, 3);
assert.equal(page.has_more, true);
const rest = await unary('ListMessages', { conversation_id: conversation.id, limit: 3, cursor: page.next_cursor });
assert.equal(rest.messages.length, 1);
assert.equal(rest.has_more, false);

// Errors: a status, and the details a client program branches on.
const invalid = await unary('GetConversation', { conversation_id: 'not-a-uuid' }).catch((e) => e);
assert.equal(invalid.code, grpc.status.INVALID_ARGUMENT);
const invalidDetails = details(invalid);
assert.equal(invalidDetails.ErrorInfo.reason, 'validation_failed');
assert.equal(invalidDetails.ErrorInfo.domain, 'micro-chatbot-service');
assert.equal(invalidDetails.BadRequest.fieldViolations[0].field, 'conversation_id');

const anonymous = await unary('ListConversations', {}, new grpc.Metadata()).catch((e) => e);
assert.equal(anonymous.code, grpc.status.UNAUTHENTICATED);
assert.equal(details(anonymous).ErrorInfo.reason, 'unauthenticated');

const tooSoon = await unary('SendMessage', { conversation_id: conversation.id, content: 'quick' }, caller(),
  { deadline: Date.now() + 300 }).catch((e) => e);
assert.equal(tooSoon.code, grpc.status.DEADLINE_EXCEEDED);
assert.equal(details(tooSoon).ErrorInfo.reason, 'deadline_exceeded', 'the service, not the client, refused it');

// The caller leaves after the first delta; the turn runs on until it is cancelled with CancelTurn, which stores
// what was generated (checked again by the test, over REST).
const cancelled = await unary('CreateConversation', {});
const partial = await stream({ conversation_id: cancelled.id, content: 'go' }, (event, call) => {
  if (event.event === 'message_delta') call.cancel();
}).done;
assert.deepEqual(partial.map((e) => e.event), ['message_created', 'message_delta']);
const leftTurn = partial[0].message_created.message.id;
const stopped = await unary('CancelTurn', { conversation_id: cancelled.id, message_id: leftTurn });
assert.equal(stopped.settled, true);
assert.equal(stopped.reply.content, 'partial');
const again = await unary('CancelTurn', { conversation_id: cancelled.id, message_id: leftTurn }).catch((e) => e);
assert.equal(again.code, grpc.status.FAILED_PRECONDITION);
assert.equal(details(again).ErrorInfo.reason, 'turn_not_running');
facts.cancelled_conversation = cancelled.id;

await unary('DeleteConversation', { conversation_id: conversation.id });
const gone = await unary('GetConversation', { conversation_id: conversation.id }).catch((e) => e);
assert.equal(gone.code, grpc.status.NOT_FOUND);

client.close();
console.log(JSON.stringify(facts));
