class Client {
  // a key split by a zero-width space
  String id = "AK​IAIOSFODNN7EXAMPLE";
  // a key in full-width letters
  String other = "ＡＫＩＡＩＯＳＦＯＤＮＮ７ＥＸＡＭＰＬＥ";
  // a long base64 string that decodes to nothing secret
  String logo = "anVzdCBhbiBvcmRpbmFyeSBwaWN0dXJlIG9mIGEgY2F0LCBub3RoaW5nIHNlY3JldCBoZXJl";
}
