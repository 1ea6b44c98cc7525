/**
 * Events of triggers that are not HTTP requests, as the platforms document them (the sample event of each page,
 * with its placeholders filled in). None asks for a task's status: each must answer InvalidRequest.Event.
 */

/** https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html ("Example Amazon S3 notification event") */
export const s3Event = {
  Records: [
    {
      eventVersion: "2.0",
      eventSource: "aws:s3",
      awsRegion: "us-east-1",
      eventTime: "1970-01-01T00:00:00.000Z",
      eventName: "ObjectCreated:Put",
      userIdentity: { principalId: "EXAMPLE" },
      requestParameters: { sourceIPAddress: "127.0.0.1" },
      responseElements: { "x-amz-request-id": "EXAMPLE123456789", "x-amz-id-2": "EXAMPLE123/5678abcdefghijklambdaisawesome/mnopqrstuvwxyzABCDEFGH" },
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "testConfigRule",
        bucket: { name: "example-bucket", ownerIdentity: { principalId: "EXAMPLE" }, arn: "arn:aws:s3:::example-bucket" },
        object: { key: "test%2Fkey", size: 1024, eTag: "0123456789abcdef0123456789abcdef", sequencer: "0A1B2C3D4E5F678901" },
      },
    },
  ],
};

/** https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html ("Example standard queue message event") */
export const sqsEvent = {
  Records: [
    {
      messageId: "059f36b4-87a3-44ab-83d2-661975830a7d",
      receiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
      body: "Test message.",
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: "1545082649183",
        SenderId: "AIDAIENQZJOLO23YVJ4VO",
        ApproximateFirstReceiveTimestamp: "1545082649185",
      },
      messageAttributes: {},
      md5OfBody: "e4e68fb7bd0e697a0ae8f1bb342846b3",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-2:123456789012:my-queue",
      awsRegion: "us-east-2",
    },
  ],
};

/** https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html ("Example SNS message event") */
export const snsEvent = {
  Records: [
    {
      EventVersion: "1.0",
      EventSubscriptionArn: "arn:aws:sns:us-east-1:123456789012:sns-lambda:21be56ed-a058-49f5-8c98-aedd2564c486",
      EventSource: "aws:sns",
      Sns: {
        SignatureVersion: "1",
        Timestamp: "2019-01-02T12:45:07.000Z",
        Signature: "tcc6faL2yUC6dgZdmrwh1Y4cGa/ebXEkAi6RibDsvpi+tE/1+82j...65r==",
        SigningCertUrl: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-ac565b8b1a6c5d002d285f9598aa1d9b.pem",
        MessageId: "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
        Message: "Hello from SNS!",
        MessageAttributes: {},
        Type: "Notification",
        UnsubscribeUrl: "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&amp;SubscriptionArn=arn:aws:sns:us-east-1:123456789012:test-lambda:21be56ed-a058-49f5-8c98-aedd2564c486",
        TopicArn: "arn:aws:sns:us-east-1:123456789012:sns-lambda",
        Subject: "TestInvoke",
      },
    },
  ],
};

/** https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html (an EC2 state-change event) */
export const eventBridgeEvent = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: { "instance-id": "i-1234567890abcdef0", state: "terminated" },
};

/** https://docs.aws.amazon.com/lambda/latest/dg/with-scheduled-events.html (a scheduled rule's event) */
export const scheduledEvent = {
  version: "0",
  id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "123456789012",
  time: "2015-10-08T16:53:06Z",
  region: "us-east-1",
  resources: ["arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule"],
  detail: {},
};

/** https://docs.aws.amazon.com/lambda/latest/dg/services-cloudwatchlogs.html ("Example Amazon CloudWatch Logs message event") */
export const cloudWatchLogsEvent = {
  awslogs: {
    data: "H4sIAAAAAAAAAHWPwQqCQBCGX0Xm7EFtK+smZBEUgXoLCdMhFtKV3akI8d0bLYmibvPPN3wz00CJxmQnTO41whwWQRIctmEcB6sQbFC3CjW3XW8kxpOpP+OC22d1Wml1qZkQGtoMsScxaczKN3plG8zlaHIta5KqWsozoTYw3/djzwhpLwivWFGHGpAFe7DL68JlBUk+l7KSN7tCOEJ4M3/qOI49vMHj+zCKdlFqLaU2ZHV2a4Ct/an0/ivdX8oYc1UVX860fQDQiMdxRQEAAA==",
  },
};

/** https://www.tencentcloud.com/document/product/583/31439 ("Timer trigger event message structure") */
export const tencentTimerEvent = {
  Type: "Timer",
  TriggerName: "EveryDay",
  Time: "2019-02-21T11:49:00Z",
  Message: "user define msg body",
};

/** https://www.tencentcloud.com/document/product/583/31439 ("COS trigger event message structure") */
export const tencentCosEvent = {
  Records: [
    {
      cos: {
        cosSchemaVersion: "1.0",
        cosObject: {
          url: "http://testpic-1253970026.cos.ap-chengdu.myqcloud.com/testfile",
          meta: { "x-cos-request-id": "NWMxOWY4MGFfMjViMjU4NjRfMTUyMV8yNzhhZjM=", "Content-Type": "" },
          vid: "",
          key: "/1253970026/testpic/testfile",
          size: 1029,
        },
        cosBucket: { region: "cd", name: "testpic", appid: "1253970026" },
        cosNotificationId: "unkown",
      },
      event: {
        eventName: "cos:ObjectCreated:*",
        eventVersion: "1.0",
        eventTime: 1545205770,
        eventSource: "qcs::cos",
        requestParameters: { requestSourceIP: "192.168.15.101", requestHeaders: { Authorization: "q-sign-algorithm=sha1&q-ak=…" } },
        eventQueue: "qcs:0:scf:cd:appid/1253970026:default.printevent.$LATEST",
        reservedInfo: "",
        reqid: 179398952,
      },
    },
  ],
};

/** https://www.tencentcloud.com/document/product/583/31439 ("CMQ Topic trigger event message structure") */
export const tencentCmqEvent = {
  Records: [
    {
      CMQ: {
        type: "topic",
        topicOwner: 120000000,
        topicName: "testtopic",
        subscriptionName: "xxxxxx",
        publishTime: "1970-01-01T00:00:00.000Z",
        msgId: "123345346",
        requestId: "123345346",
        msgBody: "Hello from CMQ!",
        msgTag: ["tag1", "tag2"],
      },
    },
  ],
};

/** https://www.tencentcloud.com/document/product/583/31439 ("CKafka trigger event message structure") */
export const tencentCkafkaEvent = {
  Records: [
    { Ckafka: { topic: "test-topic", partition: 1, offset: 36, msgKey: "None", msg: "Hello from Ckafka!" } },
    { Ckafka: { topic: "test-topic", partition: 1, offset: 37, msgKey: "None", msg: "Hello from Ckafka again!" } },
  ],
};

/**
 * https://www.tencentcloud.com/document/product/583/38845 ("CLS Trigger Description": the event is `clslogs.data`,
 * a Base64-encoded gzip document; this one is the page's own truncated sample, its data not decoded by anyone).
 */
export const tencentClsEvent = {
  clslogs: { data: "ewogICAgIm1lc3NhZ2VUeXBlIjogIkRBVEFfTUVTU0FHRSIsCiAgICAib3duZXIiOiAiMTIzNDU2Nzg5MDEyIiwKICAgICJsb2dHcm91cCI6I" },
};

/** https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html ("Example DynamoDB Streams record event", first record) */
export const dynamoDbEvent = {
  Records: [
    {
      eventID: "1",
      eventVersion: "1.0",
      dynamodb: {
        Keys: { Id: { N: "101" } },
        NewImage: { Message: { S: "New item!" }, Id: { N: "101" } },
        StreamViewType: "NEW_AND_OLD_IMAGES",
        SequenceNumber: "111",
        SizeBytes: 26,
      },
      awsRegion: "us-west-2",
      eventName: "INSERT",
      eventSourceARN: "arn:aws:dynamodb:us-west-2:111122223333:table/TestTable/stream/2015-05-11T21:21:33.291",
      eventSource: "aws:dynamodb",
    },
  ],
};

/** https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html ("Example Kinesis record event", first record) */
export const kinesisEvent = {
  Records: [
    {
      kinesis: {
        kinesisSchemaVersion: "1.0",
        partitionKey: "1",
        sequenceNumber: "49590338271490256608559692538361571095921575989136588898",
        data: "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==",
        approximateArrivalTimestamp: 1607497475.0,
      },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
      eventName: "aws:kinesis:record",
      invokeIdentityArn: "arn:aws:iam::111122223333:role/lambda-kinesis-role",
      awsRegion: "us-east-1",
      eventSourceARN: "arn:aws:kinesis:us-east-1:111122223333:stream/lambda-stream",
    },
  ],
};

/** Every non-HTTP trigger event, with the words its InvalidRequest.Event message names it by. */
export const TRIGGER_EVENTS: ReadonlyArray<[string, unknown, string]> = [
  ["S3", s3Event, "S3"],
  ["SQS", sqsEvent, "SQS"],
  ["SNS", snsEvent, "SNS"],
  ["EventBridge", eventBridgeEvent, "EventBridge event"],
  ["scheduled (EventBridge)", scheduledEvent, "scheduled"],
  ["CloudWatch Logs", cloudWatchLogsEvent, "CloudWatch Logs"],
  ["Tencent timer", tencentTimerEvent, "timer"],
  ["Tencent COS", tencentCosEvent, "COS"],
  ["Tencent CMQ", tencentCmqEvent, "CMQ"],
  ["Tencent CKafka", tencentCkafkaEvent, "CKafka"],
  ["Tencent CLS", tencentClsEvent, "CLS"],
  ["DynamoDB Streams", dynamoDbEvent, "DynamoDB"],
  ["Kinesis", kinesisEvent, "Kinesis"],
];
